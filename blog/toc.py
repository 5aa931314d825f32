"""A report's table of contents, read from the headings of its rendered (sanitised) body."""

from html.parser import HTMLParser

TOC_LEVELS = {"h2": 2, "h3": 3}


class _HeadingParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        if tag in TOC_LEVELS:
            anchor = dict(attrs).get("id")
            self._current = (
                {"level": TOC_LEVELS[tag], "id": anchor, "title": []} if anchor else None
            )
        elif tag == "annotation" and self._current is not None:
            # MathML keeps the TeX source in <annotation>; the visible text is enough.
            self._current["skip"] = True

    def handle_endtag(self, tag):
        if tag == "annotation" and self._current is not None:
            self._current.pop("skip", None)
        elif tag in TOC_LEVELS and self._current is not None:
            title = " ".join("".join(self._current["title"]).split())
            if title:
                self.items.append(
                    {"level": self._current["level"], "id": self._current["id"], "title": title}
                )
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._current.get("skip"):
            self._current["title"].append(data)


def headings(html):
    """``[{"level": 2, "id": "method", "title": "Method"}, …]`` for the h2/h3 of ``html``."""
    parser = _HeadingParser()
    parser.feed(html or "")
    parser.close()
    return parser.items
