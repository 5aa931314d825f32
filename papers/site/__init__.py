"""Site-wide machinery: what every page, app and kind of content uses, and nothing that is
about papers. docs/ARCHITECTURE.md maps it: the page cache (cache.py), the Markdown
renderer (markdown.py), the search engine (search.py), feeds (feeds.py), sitemaps
(sitemaps.py), the API scaffolding (api.py), uploads (media.py, images.py), the editor's
endpoints (editor.py), edit conflicts (locking.py), absolute addresses (addresses.py) and
the site-wide commands (management/commands/)."""
