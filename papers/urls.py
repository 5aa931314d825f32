from django.urls import path, re_path

from papers import resolve, topics, views

app_name = "papers"

urlpatterns = [
    path("papers/", views.paper_list, name="paper_list"),
    re_path(r"^papers/(?P<year>[0-9]{4})/$", views.paper_year, name="paper_year"),
    path("papers/<str:slug>.bib", views.paper_bibtex, name="paper_bibtex"),
    path("papers/ref/<path:reference>/", resolve.paper_reference, name="paper_reference"),
    path("papers/<str:slug>/", views.paper_detail, name="paper_detail"),
    path("authors/<str:slug>/", views.author_detail, name="author_detail"),
    path("topics/", topics.topic_list, name="topics"),
    path("topics/feed/", topics.topic_feed, name="topics_feed"),
    path("topics/topics.bib", topics.topic_bibtex, name="topics_bibtex"),
]
