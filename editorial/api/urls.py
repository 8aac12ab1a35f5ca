"""The API's addresses: the resources under ``/api/v1/`` (URL names ``api-v1:…``), the OpenAPI
document at ``/api/schema/`` and Swagger UI at ``/api/docs/``. The first cut's ``/api/<path>``
answers with a permanent redirect (308: method and body kept) to ``/api/v1/<path>``.

A resource of another module registers on ``router`` with one line. Subscribers and deliveries
are for the staff their policies allow (``access.PolicyAllows``).
"""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import search, views

router = DefaultRouter()
router.register("publications", views.PublicationViewSet, basename="publication")
router.register("issues", views.IssueViewSet, basename="issue")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("figures", views.FigureViewSet, basename="figure")
router.register("people", views.PersonViewSet, basename="person")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("notices", views.NoticeViewSet, basename="notice")
router.register("comments", views.CommentViewSet, basename="comment")
router.register("renditions", views.RenditionViewSet, basename="rendition")
router.register("subscribers", views.SubscriberViewSet, basename="subscriber")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")

v1: list[URLPattern | URLResolver] = [
    path("", include(router.urls)),
    path("search/", search.SearchView.as_view(), name="search"),
]


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar), its start-up script a
    file too: nothing inline runs but the stylesheet with the response's CSP nonce."""

    template_name = "api/swagger_ui.html"


def to_v1(request: HttpRequest, rest: str) -> HttpResponsePermanentRedirect:
    query = request.META.get("QUERY_STRING", "")
    target = f"/api/v1/{rest}" + (f"?{query}" if query else "")
    return HttpResponsePermanentRedirect(target, preserve_request=True)


urlpatterns = [
    path("v1/", include((v1, "api-v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^(?P<rest>(?!v1/|schema/|docs/).+)$", to_v1, name="api-legacy"),
]
