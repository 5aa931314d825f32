"""Type and colour that don't depend on the visitor's machine: code colours with AA
contrast in both schemes, self-hosted fonts that load, code text large enough."""

import re
from pathlib import Path

import pytest

from papers.site.management.commands.highlight_css import OUTPUT, stylesheet
from tests.pages import add_walk_content

STATIC = Path(__file__).resolve().parents[2] / "static"
SITE_CSS = (STATIC / "css" / "site.css").read_text(encoding="utf-8")


def luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def surfaces():
    """The code background (--surface) of the light and the dark scheme, from site.css."""
    light, dark = re.findall(r"--surface:\s*(#[0-9a-fA-F]{3,6})", SITE_CSS)[:2]
    return light, dark


def token_colours(css):
    """``[(rule, colour, own background or None)]`` of every rule that sets a colour."""
    found = []
    for rule in re.findall(r"^[^{}\n]*\{[^}]*\}", css, re.MULTILINE):
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", rule)
        background = re.search(r"background-color:\s*(#[0-9a-fA-F]{3,6})", rule)
        if colour:
            found.append((rule.strip(), colour.group(1), background and background.group(1)))
    return found


def test_code_colours_have_aa_contrast_in_light_and_dark():
    css = OUTPUT.read_text(encoding="utf-8")
    light_css, dark_css = css.split("@media screen and (prefers-color-scheme: dark)")
    failures = []
    for scheme_css, surface in zip((light_css, dark_css), surfaces(), strict=True):
        rules = token_colours(scheme_css)
        assert len(rules) > 40
        for rule, colour, background in rules:
            if rule.startswith(".highlight .w "):
                continue  # whitespace: no glyph to read
            ratio = contrast(colour, background or surface)
            if ratio < 4.5:
                failures.append(f"{ratio:.2f}:1 {rule}")
    assert failures == []


def test_the_contrast_check_fails_the_old_light_theme():
    """The check above can fail: the friendly style's comments were 2.93:1 on white."""
    assert 2.9 < contrast("#60A0B0", "#ffffff") < 3
    assert contrast("#0e84b5", "#ffffff") < 4.5


def test_pygments_css_is_what_the_command_writes():
    assert OUTPUT.read_text(encoding="utf-8") == stylesheet(), (
        "static/css/pygments.css is stale: run `manage.py highlight_css`"
    )


FONTS_CSS = (STATIC / "css" / "fonts.css").read_text(encoding="utf-8")
FAMILIES = {
    "Source Sans 3 Variable": "source-sans-3",
    "Source Serif 4 Variable": "source-serif-4",
    "Source Code Pro Variable": "source-code-pro",
}


def test_every_font_face_points_to_a_committed_file_with_its_licence():
    from django.contrib.staticfiles import finders

    faces = re.findall(r"@font-face \{(.*?)\}", FONTS_CSS, re.DOTALL)
    assert len(faces) == 12
    for face in faces:
        assert "font-display: swap;" in face
        (url,) = re.findall(r"url\(\.\./(fonts/[\w.-]+\.woff2)\)", face)
        found = finders.find(url)
        assert found and Path(found).read_bytes()[:4] == b"wOF2", url
    for package in FAMILIES.values():
        assert "SIL Open Font License" in (STATIC / "fonts" / f"LICENSE-{package}.txt").read_text()
    # Only the files fonts.css uses are shipped.
    used = set(re.findall(r"\.\./fonts/([\w.-]+\.woff2)", FONTS_CSS))
    assert {p.name for p in (STATIC / "fonts").glob("*.woff2")} == used


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_use_the_self_hosted_fonts_and_code_is_at_least_13px(demo_loaded, site):
    page, base = site
    paper = add_walk_content()  # after the demo (demo_loaded)
    page.goto(f"{base}{paper.get_absolute_url()}")
    page.evaluate("() => document.fonts.ready")
    loaded = page.evaluate(
        "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert {family.strip("\"'") for family in loaded} >= set(FAMILIES), loaded
    for family in FAMILIES:
        assert page.evaluate(f"() => document.fonts.check('16px \"{family}\"', 'Ab')")

    def first_family(selector):
        stack = page.locator(selector).first.evaluate("e => getComputedStyle(e).fontFamily")
        return stack.split(",")[0].strip("\"' ")

    assert first_family("body") == "Source Sans 3 Variable"
    assert first_family("h1") == "Source Serif 4 Variable"
    assert first_family(".highlight code") == "Source Code Pro Variable"
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('code, pre, kbd, samp, .highlight span')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(sizes) > 5 and min(sizes) >= 13, sizes
