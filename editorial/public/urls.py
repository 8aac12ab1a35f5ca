from django.urls import path

from . import search, views
from .feeds import PublicationFeed, PublicationRssFeed

app_name = "public"
issue = "archive/<slug:slug>/<int:total>"
revision = f"{issue}/r<int:revision>"
urlpatterns = [
    path("", views.home, name="home"),
    path("archive/", views.archive, name="archive"),
    path("archive/search/", search.search_page, name="search"),
    path("archive/<int:year>/", views.archive, name="archive-year"),
    path(f"{issue}/", views.issue_page, name="issue"),
    path(f"{revision}/", views.issue_page, name="issue-revision"),
    path(f"{issue}/<int:number>/", views.article_page, name="article"),
    path(f"{revision}/<int:number>/", views.article_page, name="article-revision"),
    path(f"{issue}.pdf", views.issue_pdf, name="issue-pdf"),
    path(f"{revision}.pdf", views.issue_pdf, name="issue-revision-pdf"),
    path(f"{issue}/files/<str:checksum>", views.issue_file, name="issue-file"),
    path(f"{revision}/files/<str:checksum>", views.issue_file, name="issue-revision-file"),
    path("archive/<slug:slug>/sections/<slug:section>/", views.section_page, name="section"),
    path("feeds/<slug:slug>/atom.xml", views.public_page(PublicationFeed()), name="feed-atom"),
    path("feeds/<slug:slug>/rss.xml", views.public_page(PublicationRssFeed()), name="feed-rss"),
    path(
        "feeds/<slug:slug>/<slug:section>/atom.xml",
        views.public_page(PublicationFeed()),
        name="section-feed-atom",
    ),
    path(
        "feeds/<slug:slug>/<slug:section>/rss.xml",
        views.public_page(PublicationRssFeed()),
        name="section-feed-rss",
    ),
    path("favicon.ico", views.favicon, name="favicon"),
]
