"""The previews' two doors (see views): the same pages under an issue id for people who may
preview, and under a preview link's token for whoever holds the link."""

from django.urls import URLPattern, path

from . import views

pages: list[URLPattern] = [
    path("", views.web_page, name="web"),
    path("wechat/", views.wechat_page, name="wechat"),
    path("print/", views.print_page, name="print"),
    path("pdf/", views.pdf_page, name="pdf"),
    path("reader/", views.reader, name="reader"),
    path("reader/<int:number>/", views.reader_article, name="reader-article"),
    path("print/html/", views.print_html, name="print-html"),
    path("files/<str:filename>", views.file, name="file"),
    # Relative to wechat/, where the phone frames resolve the articles' image paths.
    path("wechat/image/<str:checksum>/", views.wechat_image, name="wechat-image"),
    path("pdf/request/", views.pdf_request, name="pdf-request"),
    path("pdf/status/", views.pdf_status, name="pdf-status"),
    path("pdf/<int:rendition_id>/", views.pdf_file, name="pdf-file"),
]
editor_urls = (pages, views.EDITOR)
link_urls = (pages, views.LINK)
