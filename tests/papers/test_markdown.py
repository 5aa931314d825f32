import time
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from pytest_django.asserts import assertInHTML

from papers.site.markdown import (
    MAX_MARKDOWN_LENGTH,
    render_document,
    render_markdown,
    sanitize_html,
    validate_markdown,
)


def test_math_becomes_mathml_inline_and_display():
    html = render_markdown(r"Inline $p_\theta(z|x)$ and display:" "\n\n" r"$$\frac{a}{b}$$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert 'display="block"' in html
    assert "<mfrac>" in html


def test_double_dollars_inside_a_sentence_are_inline_math_as_in_jekyll_notes():
    html = render_markdown(r"The posterior $$p_\theta(z|x)$$ is intractable.")
    assert html.startswith("<p>The posterior <math")
    assert 'display="inline"' in html
    assert "$" not in html


def test_dollars_in_code_are_left_alone():
    html = render_markdown("```\nprice = $$5$$\n```\n\nand `$x$` inline")
    assert "$$5$$" in html
    assertInHTML("<code>$x$</code>", html)


def test_broken_formula_stays_visible_as_code():
    html = render_markdown(r"Broken $\frac{$ here")
    assertInHTML('<code class="math-error">\\frac{</code>', html)


def test_underscores_in_math_are_not_emphasis():
    html = render_markdown(r"$a_1 + b_2$ and $c_3$")
    assert "<em>" not in html


def test_fenced_code_is_highlighted_by_pygments():
    html = render_markdown("```python\ndef f(x):\n    return x\n```")
    assert 'class="language-python highlight"' in html
    assertInHTML('<span class="k">def</span>', html)


def test_tables_and_footnotes():
    html = render_markdown("| a | b |\n|---|--:|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: The note.")
    assert "<table>" in html
    # align, not style: the Content-Security-Policy allows no inline style.
    assert '<th align="right">' in html and "style=" not in html
    assert 'id="fn:1"' in html


class _Markup(HTMLParser):
    """Collects every tag and attribute of rendered HTML, as a browser would see them."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes = set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += attrs


XSS_INPUTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "<iframe src='https://evil.example'></iframe>",
    "<svg onload=alert(1)>",
    "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
    '![" onerror=alert(1) ](x)',
    '[x](" onmouseover="alert(1))',
    "[d](data:text/html;base64,PHNjcmlwdD4=)",
    "![d](data:image/svg+xml;base64,PHN2Zz4=)",
    '<a href="/x" style="background:url(javascript:alert(1))">x</a>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form action=/x><input name=a></form>",
    "<p onclick=alert(1)>hi</p>",
    "<object data=x></object><embed src=x><base href=//evil.example>",
    "<style>body{display:none}</style><link rel=stylesheet href=//evil.example/x.css>",
]


@pytest.mark.parametrize("source", XSS_INPUTS)
def test_dangerous_markup_is_removed(source):
    markup = _Markup(render_markdown(source))
    assert not markup.tags & {"script", "iframe", "svg", "form", "input", "object", "embed",
                              "base", "style", "link"}  # fmt: skip
    for name, value in markup.attributes:
        assert not name.startswith("on"), (name, value)
        assert name not in {"style", "xlink:href", "action"}, (name, value)
        if name in {"href", "src"}:
            assert value.split(":", 1)[0].lower() in {"http", "https", "mailto"} or ":" not in value


def test_links_keep_safe_schemes_and_get_rel():
    html = render_markdown("[a](https://example.org) [b](/papers/) [c](mailto:x@example.org)")
    assert 'href="https://example.org"' in html
    assert 'href="/papers/"' in html
    assert 'href="mailto:x@example.org"' in html
    assert html.count('rel="noopener noreferrer"') == 3


def test_sanitising_twice_changes_nothing():
    html = render_markdown("# T\n\n$x^2$ [a](https://e.org) `code`\n\n| a |\n|---|\n| 1 |")
    assert sanitize_html(html) == html


def test_sanitising_builds_no_sanitizer_per_text(monkeypatch):
    """The allowlist's sanitizer is built once (papers/site/markdown.py ``_CLEANER``):
    ``nh3.clean`` with the allowlists would build it again for every text."""
    import nh3

    def refused(*args, **kwargs):
        raise AssertionError("a sanitizer built for one text")

    monkeypatch.setattr(nh3, "clean", refused)
    monkeypatch.setattr(nh3, "Cleaner", refused)
    html = sanitize_html('<p onclick="x()">a <script>b</script><a href="https://e.org">c</a></p>')
    assert html == '<p>a <a href="https://e.org" rel="noopener noreferrer">c</a></p>'


@pytest.mark.parametrize(
    "source", ["[" * 13000, "> " * 1000, "[a](" * 3000, "![" * 3000, "[" * 40 + "]" * 40]
)
def test_pathological_markdown_renders_fast_or_is_refused(source):
    started = time.perf_counter()
    render_markdown(source)
    assert time.perf_counter() - started < 2


def test_validator_refuses_what_would_be_slow_or_too_long():
    with pytest.raises(ValidationError, match="never closed|more than"):
        validate_markdown("[" * 13000)
    with pytest.raises(ValidationError, match="limit"):
        validate_markdown("a" * (MAX_MARKDOWN_LENGTH + 1))
    validate_markdown("Ordinary [link](https://example.org) and (parentheses).")


def test_nul_bytes_and_empty_input():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
    assert "\x00" not in render_markdown("a\x00b")


def test_code_blocks_and_display_math_can_be_reached_and_scrolled_by_keyboard():
    html = str(render_markdown('```python\nx = 1\n```\n\n$$x^2$$\n\n<p tabindex="5">typed</p>'))
    assert '<pre tabindex="0">' in html
    assert '<div class="math-display" tabindex="0">' in html
    assert 'tabindex="5"' not in html  # authors still cannot set one


def test_a_text_rendered_after_another_carries_nothing_of_it():
    # The renderer is reused between texts (papers.site.markdown._shared_renderer): the
    # footnotes, headings, link references and stashed code of one text must
    # not reach the next.
    first = render_document(
        "## Method\n\nA claim[^1] and [a link][ref].\n\n[^1]: The proof.\n\n"
        "[ref]: https://example.org/\n\n```python\nx = 1\n```\n"
    )
    assert [entry["title"] for entry in first.toc] == ["Method"]
    assert "The proof." in first.html and "https://example.org/" in first.html
    second = render_document("Plain words, then [a link][ref] and a note[^1].")
    assert second.toc == []
    assert "The proof." not in second.html and "example.org" not in second.html
    assert "highlight" not in second.html and "footnote" not in second.html
    assert second.html == render_document("Plain words, then [a link][ref] and a note[^1].").html
