"""axe-core in Chromium: every kind of public page has no accessibility violation, in the
light and in the dark colour scheme.

The pages are those of the public-page walk (tests/config/browser_pages.py), which loads
each page once for this audit and the CSP check: axe runs on the page as a visitor gets
it, with the site's policy in force (axe is evaluated through the DevTools protocol, which
the policy does not govern), once per colour scheme (switched in place).
"""

import re
from pathlib import Path

import pytest

from tests.config.browser_pages import (
    DARK_RULES,
    SCHEMES,
    WALK_GROUP,
    audit,
    inject_axe,
)
from tests.pages import QUERY_PAGES
from tests.validators import axe_script


@pytest.mark.browser
@pytest.mark.xdist_group(WALK_GROUP)
@pytest.mark.django_db(transaction=True)
def test_every_kind_of_public_page_passes_axe_in_light_and_dark(public_walk):
    axe_script()  # skip (or fail, in CI) when axe-core is missing
    urls = [visit.url for visit in public_walk.audited]
    assert "/api/docs" in urls and "/search/" in urls
    assert set(QUERY_PAGES) <= set(urls)
    assert len(urls) > 40, urls  # up to browser_pages.AXE_PER_ROUTE of every route

    problems = {scheme: {} for scheme in SCHEMES}
    for visit in public_walk.audited:
        for scheme, found in visit.axe.items():
            if found:
                problems[scheme][visit.url] = found

    counts = {scheme: sum(len(v) for v in by_url.values()) for scheme, by_url in problems.items()}
    report = "\n".join(
        f"[{scheme}] {url}\n  " + "\n  ".join(found)
        for scheme, by_url in problems.items()
        for url, found in sorted(by_url.items())
    )
    assert counts == {"light": 0, "dark": 0}, (
        f"axe violations {counts} on {len(urls)} pages:\n{report}"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_reports_what_it_should_on_a_bad_page_in_both_schemes(site):
    """The walk can fail: axe, injected and run as the walk does (under the site's CSP,
    :func:`audit`), sees a missing alt and bad contrast in the light scheme, and the bad
    contrast in the dark one, whichever scheme the page was loaded in."""
    page, base = site
    inject_axe(page, axe_script())
    for loaded in SCHEMES:
        page.emulate_media(color_scheme=loaded)
        page.goto(f"{base}/no-such-page/")
        page.evaluate(
            """() => {
              const img = document.createElement('img');
              img.src = '/static/img/favicon.svg';
              const faint = document.createElement('p');
              faint.textContent = 'faint text';
              faint.style.color = '#bbb';
              faint.style.background = '#fff';
              document.querySelector('main').append(img, faint);
            }"""
        )
        found = audit(page, loaded)
        rules = {scheme: {line.split(" ")[0] for line in found[scheme]} for scheme in SCHEMES}
        assert {"image-alt", "color-contrast"} <= rules["light"], (loaded, found)
        assert "color-contrast" in rules["dark"], (loaded, found)


# --- why the dark pass runs only browser_pages.DARK_RULES -------------------------------

ROOT = Path(__file__).resolve().parents[2]
DARK = "@media screen and (prefers-color-scheme: dark)"
# Properties that paint and lay nothing out: a scheme that sets only these (and custom
# properties holding colours, or used only by these) changes what axe's colour rules see
# and nothing any other rule reads.
PAINT_ONLY = re.compile(
    r"color|background-color|border(-(top|right|bottom|left))?-color|outline-color"
    r"|text-decoration-color|caret-color|accent-color|fill|stroke|box-shadow"
)
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|rgba?\([^)]*\)|transparent|inherit|currentcolor")


def rules(css):
    """``[(selector, {property: value})]`` of the flat rules in ``css`` (no nesting)."""
    return [
        (selector.strip(), dict(_declaration(d) for d in body.split(";") if d.strip()))
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    ]


def _declaration(text):
    name, value = text.split(":", 1)
    return name.strip(), value.strip()


def split_schemes(css):
    """``(light, dark)``: ``css`` without its dark-scheme blocks, and those blocks' insides."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    light, dark = [], []
    while DARK in css:
        before, after = css.split(DARK, 1)
        end = _block_end(after)
        light.append(before)
        dark.append(after[after.index("{") + 1 : end])
        css = after[end + 1 :]
    return "".join(light) + css, "".join(dark)


def _block_end(text):
    """Where the first block of ``text`` closes (its brace's index)."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "}" and depth == 0:
            return index
    raise ValueError(f"unclosed block: {text[:80]}")


def non_colour_changes(css):
    """What the dark scheme of ``css`` changes besides paint: a declaration of a property
    in no PAINT_ONLY, unless the light rule of the same selector declares it alike; a custom
    property whose value is no colour, unless every use of it is in a PAINT_ONLY property."""
    light, dark = split_schemes(css)
    light_rules = {}
    for selector, declarations in rules(light):
        light_rules.setdefault(selector, {}).update(declarations)
    uses = re.findall(r"([\w-]+)\s*:[^;{}]*var\((--[\w-]+)", light)
    changes = []
    for selector, declarations in rules(dark):
        for name, value in declarations.items():
            if name.startswith("--"):
                paint = all(PAINT_ONLY.fullmatch(p) for p, var in uses if var == name)
                if not (COLOUR.fullmatch(value) or paint):
                    changes.append(f"{selector} {{ {name}: {value} }}")
            elif (
                not PAINT_ONLY.fullmatch(name) and light_rules.get(selector, {}).get(name) != value
            ):
                changes.append(f"{selector} {{ {name}: {value} }}")
    return changes


def test_the_dark_scheme_changes_only_colours():
    """The dark pass of the walk's audit runs only the colour rules (DARK_RULES): sound
    while the dark scheme's CSS changes nothing but paint. Every file a public page could
    switch on the scheme with is one of the stylesheets checked (a template's <picture> or a
    script's matchMedia would escape the check)."""
    switching = sorted(
        str(path.relative_to(ROOT))
        for pattern in (
            "static/**/*",
            "templates/**/*",
            "*/templates/**/*",
            "*/*/templates/**/*",
        )
        for path in ROOT.glob(pattern)
        if path.is_file()
        and path.suffix in {".css", ".js", ".html"}
        and "prefers-color-scheme" in path.read_text(encoding="utf-8", errors="replace")
    )
    assert switching == ["static/css/pygments.css", "static/css/site.css"]
    for name in switching:
        css = (ROOT / name).read_text(encoding="utf-8")
        assert rules(split_schemes(css)[1]), name  # its dark blocks were found
        assert non_colour_changes(css) == [], name
    assert set(DARK_RULES) == {"color-contrast", "link-in-text-block"}


def test_the_dark_scheme_check_sees_a_change_of_layout():
    """The check above can fail: a padding, a font weight or a size changed in the dark
    scheme is found; colours and a shadow are not."""
    css = (ROOT / "static/css/site.css").read_text(encoding="utf-8")
    for change in (
        ".card { padding: 2rem; }",
        ".kicker { font-weight: 700; }",
        ":root { --radius: 0; }",
    ):
        changed = css.replace(DARK + " {", DARK + " {\n" + change, 1)
        assert non_colour_changes(changed) == [" ".join(change.replace(";", "").split())], change
    calm = css.replace(DARK + " {", DARK + " {\n.card { color: #fff; box-shadow: none; }", 1)
    assert non_colour_changes(calm) == []
