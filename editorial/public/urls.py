from django.urls import path

from . import search, views

app_name = "public"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("search/", search.search_page, name="search"),
    path("<slug:slug>/<int:total>/", views.issue_page, name="issue"),
    path("<slug:slug>/<int:total>/r<int:revision>/", views.issue_page, name="issue-revision"),
    path("<slug:slug>/<int:total>.pdf", views.issue_pdf, name="issue-pdf"),
    path("<slug:slug>/<int:total>/r<int:revision>.pdf", views.issue_pdf, name="issue-revision-pdf"),
    path("<slug:slug>/<int:total>/files/<str:checksum>", views.issue_file, name="issue-file"),
    path(
        "<slug:slug>/<int:total>/r<int:revision>/files/<str:checksum>",
        views.issue_file,
        name="issue-revision-file",
    ),
]
