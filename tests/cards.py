"""Reading a list page and one card on it, for the tests of kept cards."""


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def card(client, url, title):
    """The ``<article>`` card of the item titled ``title`` on the page at ``url``."""
    html = page(client, url)
    start = html.index(f">{title}</a>")
    return html[html.rindex("<article", 0, start) : html.index("</article>", start)]
