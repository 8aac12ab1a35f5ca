"""The REST API: reads through selectors, every write through the same services as the admin."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from editorial.models import Article, Figure, Issue
from editorial.preflight import issue_preflight
from editorial.selectors import issue_for_edition
from editorial.services.articles import StaleEdit, article_save, article_transition
from editorial.services.issue_actions import ISSUE_ACTIONS, issue_take
from editorial.services.issue_edits import issue_update
from editorial.services.renditions import rendition_request

from .serializers import (
    ArticleActionSerializer,
    ArticleSerializer,
    ArticleUpdateSerializer,
    IssueActionSerializer,
    IssueDetailSerializer,
    IssueSerializer,
    IssueUpdateSerializer,
    PreflightCheckSerializer,
    RenditionSerializer,
)


class ViewPermissions(DjangoModelPermissions):
    """Reading needs the model's view permission (editorial roles hold it); writes are checked
    by the services, whatever the entry point."""

    perms_map = dict.fromkeys(
        ["GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        ["%(app_label)s.view_%(model_name)s"],
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """A stale edit is a conflict (409, who and when); a refused rule is a 400 with its reasons."""
    if isinstance(exc, StaleEdit):
        return Response({"detail": exc.messages[0], "code": "stale"}, status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class IssueViewSet(viewsets.ReadOnlyModelViewSet[Issue]):
    """Issues, newest first; ``POST /issues/{id}/actions/{name}/`` takes a workflow action;
    ``PATCH`` edits the issue's fields through ``issue_update`` with ``base_version``."""

    permission_classes = [ViewPermissions]

    def get_queryset(self) -> QuerySet[Issue]:
        issues = Issue.objects.select_related("publication").annotate(
            article_count=Count("articles")
        )
        if self.action == "retrieve":
            articles = Article.objects.select_related("section", "responsible_editor")
            issues = issues.prefetch_related(
                "approvals",
                Prefetch(
                    "articles",
                    queryset=articles.prefetch_related(
                        Prefetch("figures", queryset=Figure.objects.order_by("number"))
                    ).order_by("position", "id"),
                ),
            )
        status_filter = self.request.query_params.get("status")
        if status_filter:
            issues = issues.filter(status=status_filter)
        return issues.order_by("publication__slug", "-total_number", "-revision")

    def get_serializer_class(self) -> type[IssueSerializer]:
        return IssueDetailSerializer if self.action == "retrieve" else IssueSerializer

    @extend_schema(request=IssueUpdateSerializer, responses=IssueSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        issue = self.get_object()
        data = IssueUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        base_version = changes.pop("base_version")
        issue_update(
            actor=request.user, issue_id=issue.pk, base_version=base_version, changes=changes
        )
        return Response(IssueSerializer(self.get_queryset().get(pk=issue.pk)).data)

    @extend_schema(request=IssueActionSerializer, responses=IssueSerializer)
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)")
    def take(self, request: Request, pk: str, name: str) -> Response:
        """One of start_edit, submit, request_changes, withdraw, approve, schedule, unschedule,
        publish, correct — refused (403/400) exactly as in the admin."""
        issue = self.get_object()
        if name not in ISSUE_ACTIONS:
            return Response({"detail": f"没有这个操作：{name}"}, status.HTTP_404_NOT_FOUND)
        data = IssueActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issue_take(actor=request.user, issue_id=issue.pk, name=name, data=data.validated_data)
        result = self.get_queryset().get(pk=issue.correction.pk if name == "correct" else issue.pk)
        return Response(IssueSerializer(result).data)

    @extend_schema(responses=PreflightCheckSerializer(many=True))
    @action(detail=True, methods=["get"])
    def preflight(self, request: Request, pk: str) -> Response:
        """The pre-flight checklist: blocking problems and warnings."""
        checks = issue_preflight(issue_for_edition(self.get_object().pk))
        return Response(PreflightCheckSerializer(checks, many=True).data)

    @extend_schema(request=None, responses=RenditionSerializer)
    @action(detail=True, methods=["post"])
    def renditions(self, request: Request, pk: str) -> Response:
        """Ask for the PDF of the issue as it is now (queued; reused when unchanged)."""
        rendition = rendition_request(actor=request.user, issue_id=self.get_object().pk)
        rendition.refresh_from_db()
        return Response(RenditionSerializer(rendition).data, status=status.HTTP_202_ACCEPTED)


class ArticleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Article]
):
    """Articles (``?issue=<id>``); ``PATCH`` edits through the service with ``base_version``."""

    permission_classes = [ViewPermissions]
    serializer_class = ArticleSerializer

    def get_queryset(self) -> QuerySet[Article]:
        articles = (
            Article.objects.select_related("section", "responsible_editor")
            .prefetch_related(Prefetch("figures", queryset=Figure.objects.order_by("number")))
            .order_by("issue_id", "position", "id")
        )
        issue = self.request.query_params.get("issue")
        return articles.filter(issue_id=issue) if issue and issue.isdigit() else articles

    @extend_schema(request=ArticleUpdateSerializer, responses=ArticleSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        article = self.get_object()
        data = ArticleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        base_version = changes.pop("base_version")
        for field, value in changes.items():
            setattr(article, field, value)
        article_save(
            actor=request.user, article=article, base_version=base_version, what="API 修改"
        )
        return Response(ArticleSerializer(self.get_queryset().get(pk=article.pk)).data)

    @extend_schema(request=ArticleActionSerializer, responses=ArticleSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        """start_edit, mark_ready or reopen — assigned responsible editors, executive editors."""
        data = ArticleActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = self.get_object()
        article_transition(
            actor=request.user, article_id=article.pk, name=data.validated_data["name"]
        )
        return Response(ArticleSerializer(self.get_queryset().get(pk=article.pk)).data)
