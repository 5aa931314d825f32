from django.urls import path, re_path

from papers import graph, resolve, topics, views
from papers.citations.formats import FORMATS

app_name = "papers"

urlpatterns = [
    path("papers/", views.paper_list, name="paper_list"),
    re_path(r"^papers/(?P<year>[0-9]{4})/$", views.paper_year, name="paper_year"),
    # One paper in each citation format; .biblatex.bib before .bib (a slug has no dot).
    *[
        path(
            f"papers/<str:slug>{fmt.suffix}",
            views.paper_export,
            {"format": fmt.name},
            name=f"paper_{fmt.name}",
        )
        for fmt in sorted(FORMATS.values(), key=lambda fmt: -len(fmt.suffix))
    ],  # fmt: skip
    path("papers/ref/<path:reference>/", resolve.paper_reference, name="paper_reference"),
    path("papers/<str:slug>/", views.paper_detail, name="paper_detail"),
    path("papers/<str:slug>/graph/", graph.paper_graph, name="paper_graph"),
    path("authors/<str:slug>/", views.author_detail, name="author_detail"),
    path("venues/<str:slug>/", views.venue_detail, name="venue_detail"),
    path("topics/", topics.topic_list, name="topics"),
    path("topics/feed/", topics.topic_feed, name="topics_feed"),
    path("topics/topics.bib", topics.topic_bibtex, name="topics_bibtex"),
]
