"""The REST API: reads through selectors and the Edition, every write through the same services
as the admin, each write naming the version it was made from (If-Match)."""

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from editorial.editions import Edition
from editorial.models import (
    Article,
    Comment,
    ConsentSource,
    CopyrightNotice,
    Delivery,
    DeliveryStatus,
    Figure,
    Issue,
    Mailing,
    Organisation,
    Person,
    Publication,
    Rendition,
    Subscriber,
    SubscriberStatus,
)
from editorial.preflight import issue_preflight
from editorial.selectors import issue_edition, issue_for_edition
from editorial.services.articles import article_save, article_transition
from editorial.services.comments import comment_add
from editorial.services.deliveries import (
    RESENDABLE,
    deliveries_close,
    deliveries_resend,
    mailing_pause,
    mailing_resume,
)
from editorial.services.issue_actions import ISSUE_ACTIONS, issue_take
from editorial.services.issue_edits import issue_update
from editorial.services.policies import (
    delivery_view_check,
    issue_available_actions,
    may_read_unpublished,
    subscriber_manage_check,
)
from editorial.services.renditions import rendition_request
from editorial.services.subscriptions import (
    subscriber_erase,
    subscriber_export,
    subscriber_unsubscribe,
)
from editorial.workflow import ISSUE_PUBLIC

from . import examples
from .access import PolicyAllows, ReadPublishedOrStaff
from .conditional import article_etag, content_etag, issue_etag, require_if_match, with_etag
from .filters import (
    ARTICLE,
    FORMAT,
    ISSUE,
    NUMBER,
    PUBLICATION,
    SECTION,
    UPDATED_SINCE,
    YEAR,
    body_format,
    filter_queryset,
)
from .pagination import Cursor
from .serializers import (
    ArticleActionSerializer,
    ArticleSerializer,
    ArticleUpdateSerializer,
    AvailableActionsSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    DeliveryCountSerializer,
    DeliveryIdsSerializer,
    FigureSerializer,
    IssueActionSerializer,
    IssueDetailSerializer,
    IssueSerializer,
    IssueUpdateSerializer,
    MailingDetailSerializer,
    MailingSerializer,
    NoticeSerializer,
    OrganisationSerializer,
    PersonSerializer,
    PreflightCheckSerializer,
    PublicationSerializer,
    RenditionSerializer,
    SubscriberDetailSerializer,
    SubscriberSerializer,
    issue_image_url,
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="读取时得到的 ETag：内容已变则 412，未带则 428。",
)


class ApiViewSet(viewsets.GenericViewSet[Any]):
    """What every resource shares: who may read (``public``: anyone, published content only;
    else staff), cursor pages, and an ETag on every read (304 when the client holds it)."""

    permission_classes = [ReadPublishedOrStaff]
    pagination_class = Cursor
    public = False

    def staff(self) -> bool:
        return may_read_unpublished(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "format": body_format(self.request)}

    def finalize_response(  # type: ignore[override]  # a 304 is a plain Django response
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        if (
            request.method == "GET"
            and response.status_code == 200
            and "ETag" not in response
            and isinstance(response, Response)
        ):
            response.render()
            return with_etag(request, response, content_etag(response.content))
        return response


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    pass


# Shared records -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="刊物列表", examples=examples.PUBLICATIONS),
    retrieve=extend_schema(summary="一个刊物及其栏目", examples=[examples.PUBLICATION]),
)
class PublicationViewSet(ReadOnlyViewSet):
    public = True
    serializer_class = PublicationSerializer
    queryset = Publication.objects.prefetch_related("sections").order_by("id")


@extend_schema_view(
    list=extend_schema(summary="机构列表（编辑部）", examples=examples.ORGANISATIONS),
    retrieve=extend_schema(summary="一个机构（编辑部）", examples=[examples.ORGANISATION]),
)
class OrganisationViewSet(ReadOnlyViewSet):
    serializer_class = OrganisationSerializer
    queryset = Organisation.objects.order_by("id")


@extend_schema_view(
    list=extend_schema(summary="人员列表（编辑部）", examples=examples.PEOPLE),
    retrieve=extend_schema(summary="一位人员（编辑部）", examples=[examples.PERSON]),
)
class PersonViewSet(ReadOnlyViewSet):
    serializer_class = PersonSerializer
    queryset = Person.objects.order_by("id")


@extend_schema_view(
    list=extend_schema(summary="版权声明的各版本（编辑部）", examples=examples.NOTICES),
    retrieve=extend_schema(summary="一版声明（编辑部）", examples=[examples.NOTICE]),
)
class NoticeViewSet(ReadOnlyViewSet):
    serializer_class = NoticeSerializer
    queryset = CopyrightNotice.objects.select_related("publication").order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="编辑意见（编辑部）", parameters=[ISSUE, ARTICLE], examples=examples.COMMENTS
    ),
    retrieve=extend_schema(summary="一条编辑意见（编辑部）", examples=[examples.COMMENT]),
)
class CommentViewSet(ReadOnlyViewSet):
    serializer_class = CommentSerializer

    @extend_schema(
        summary="发表编辑意见或回复（须带 If-Match：所评的期的 ETag）",
        parameters=[IF_MATCH],
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
        examples=[examples.COMMENT_CREATE, examples.COMMENT_CREATED],
    )
    def create(self, request: Request) -> Response:
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = data.validated_data
        issue = Issue.objects.select_related("publication").filter(pk=found["issue"]).first()
        if issue is None:
            raise ValidationError({"issue": ["没有这一期。"]})
        require_if_match(request, issue_etag(issue, issue_edition(issue.pk, status=issue.status)))
        article = parent = None
        if found.get("article"):
            article = Article.objects.filter(pk=found["article"]).first()
            if article is None:
                raise ValidationError({"article": ["没有这篇文章。"]})
        if found.get("parent"):
            parent = Comment.objects.filter(pk=found["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": ["没有这条意见。"]})
        comment = comment_add(
            actor=request.user, issue=issue, body=found["body"], article=article, parent=parent
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    def get_queryset(self) -> QuerySet[Comment]:
        comments = Comment.objects.select_related("author").order_by("id")
        return filter_queryset(
            comments,
            self.request,
            issue_path="issue",
            lookups={"issue": "issue_id", "article": "article_id"},
        )


@extend_schema_view(
    list=extend_schema(
        summary="渲染件（PDF）（编辑部）", parameters=[ISSUE], examples=examples.RENDITIONS
    ),
    retrieve=extend_schema(summary="一个渲染件（编辑部）", examples=[examples.RENDITION]),
)
class RenditionViewSet(ReadOnlyViewSet):
    serializer_class = RenditionSerializer

    def get_queryset(self) -> QuerySet[Rendition]:
        return filter_queryset(
            Rendition.objects.order_by("id"),
            self.request,
            issue_path="issue",
            lookups={"issue": "issue_id"},
        )


# Issues ---------------------------------------------------------------------------------------

LIST_FILTERS = [YEAR, NUMBER, SECTION, PUBLICATION, UPDATED_SINCE]


class IssueCursor(Cursor):
    ordering = ("-date", "-id")  # type: ignore[assignment]  # DRF takes a tuple too


@extend_schema_view(
    list=extend_schema(
        summary="期的列表，新的在前",
        parameters=[
            *LIST_FILTERS,
            OpenApiParameter("status", str, description="状态（仅编辑部；读者只见已发布的期）"),
        ],
        examples=examples.ISSUES,
    ),
)
class IssueViewSet(mixins.ListModelMixin, ApiViewSet):
    """Issues: readers see the published ones; the content is the issue's Edition and its
    fingerprint the ETag. Workflow actions are explicit endpoints; the state is never written."""

    public = True
    pagination_class = IssueCursor
    serializer_class = IssueSerializer

    def get_queryset(self) -> QuerySet[Issue]:
        issues = Issue.objects.select_related("publication")
        if self.action == "list":  # one issue's count is its Edition's (``_detail``)
            issues = issues.annotate(article_count=Count("articles"))
        if not self.staff():
            issues = issues.filter(status__in=ISSUE_PUBLIC)
        elif self.request.query_params.get("status"):
            issues = issues.filter(status=self.request.query_params["status"])
        return filter_queryset(issues, self.request, issue_path="", lookups={})

    def _edition(self, issue: Issue) -> Edition:
        return issue_edition(issue.pk, status=issue.status)

    def _detail(self, issue: Issue, *, http_status: int = 200) -> HttpResponseBase:
        edition = self._edition(issue)
        issue.article_count = len(edition.articles)  # type: ignore[attr-defined]
        context = {
            **self.get_serializer_context(),
            "edition": edition,
            "image_url": issue_image_url(issue),
        }
        response = Response(IssueDetailSerializer(issue, context=context).data, http_status)
        return with_etag(self.request, response, issue_etag(issue, edition))

    def _reloaded(self, pk: int) -> Issue:
        return self.get_queryset().get(pk=pk)

    @extend_schema(
        summary="一期：封面信息与按栏目排列的文章（其刊本），ETag 为刊本指纹",
        parameters=[FORMAT],
        responses=IssueDetailSerializer,
        examples=[examples.ISSUE_DETAIL],
    )
    def retrieve(self, request: Request, pk: str) -> HttpResponseBase:
        return self._detail(self.get_object())

    @extend_schema(
        summary="修改本期的期号、日期、封面要闻（须带 If-Match）",
        parameters=[IF_MATCH],
        request=IssueUpdateSerializer,
        responses=IssueDetailSerializer,
        examples=[examples.ISSUE_UPDATE, examples.ISSUE_DETAIL],
    )
    def partial_update(self, request: Request, pk: str) -> HttpResponseBase:
        issue = self.get_object()
        require_if_match(request, issue_etag(issue, self._edition(issue)))
        data = IssueUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issue_update(
            actor=request.user,
            issue_id=issue.pk,
            base_version=issue.lock_version,
            changes=dict(data.validated_data),
        )
        return self._detail(self._reloaded(issue.pk))

    @extend_schema(
        summary="当前用户此刻可对本期执行的操作",
        responses=AvailableActionsSerializer,
        examples=[examples.AVAILABLE_ACTIONS],
    )
    @action(detail=True, methods=["get"], url_path="actions")
    def actions(self, request: Request, pk: str) -> Response:
        issue = self.get_object()
        names = issue_available_actions(
            request.user,
            issue,
            approvals=issue.approvals.all(),
            corrected=Issue.objects.filter(corrects=issue).exists(),
        )
        return Response({"actions": names})

    @extend_schema(
        summary="执行工作流操作（须带 If-Match）：与后台按钮同一服务、同一权限",
        parameters=[
            IF_MATCH,
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(ISSUE_ACTIONS)),
        ],
        request=IssueActionSerializer,
        responses={200: IssueDetailSerializer, 201: IssueDetailSerializer},
        examples=[examples.ISSUE_ACTION, examples.ISSUE_DETAIL],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)")
    def take(self, request: Request, pk: str, name: str) -> HttpResponseBase:
        """start_edit, submit, request_changes, withdraw, approve, schedule, unschedule,
        publish, correct — refused (403/400) exactly as in the admin; ``correct`` answers with
        the new revision (201)."""
        issue = self.get_object()
        if name not in ISSUE_ACTIONS:
            raise NotFound(f"没有这个操作：{name}")
        require_if_match(request, issue_etag(issue, self._edition(issue)))
        data = IssueActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issue_take(actor=request.user, issue_id=issue.pk, name=name, data=data.validated_data)
        if name == "correct":
            correction = Issue.objects.get(corrects=issue)
            return self._detail(self._reloaded(correction.pk), http_status=201)
        return self._detail(self._reloaded(issue.pk))

    @extend_schema(
        summary="发布前检查（编辑部）",
        responses=PreflightCheckSerializer(many=True),
        examples=[examples.PREFLIGHT],
    )
    @action(detail=True, methods=["get"], public=False, pagination_class=None)
    def preflight(self, request: Request, pk: str) -> Response:
        """The pre-flight checklist: blocking problems and warnings."""
        checks = issue_preflight(issue_for_edition(self.get_object().pk))
        return Response(PreflightCheckSerializer(checks, many=True).data)

    @extend_schema(
        summary="请求本期当前内容的 PDF（排队；内容未变则复用；须带 If-Match）",
        parameters=[IF_MATCH],
        request=None,
        responses={202: RenditionSerializer},
        examples=[examples.RENDITION_REQUESTED],
    )
    @action(detail=True, methods=["post"], url_path="renditions")
    def render_pdf(self, request: Request, pk: str) -> Response:
        issue = self.get_object()
        require_if_match(request, issue_etag(issue, self._edition(issue)))
        rendition = rendition_request(actor=request.user, issue_id=issue.pk)
        rendition.refresh_from_db()
        return Response(RenditionSerializer(rendition).data, status=status.HTTP_202_ACCEPTED)


# Articles and figures -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="文章列表",
        parameters=[FORMAT, ISSUE, *LIST_FILTERS],
        examples=examples.ARTICLES,
    ),
)
class ArticleViewSet(mixins.ListModelMixin, ApiViewSet):
    """Articles: readers see those of published issues; ``PATCH`` edits through the service."""

    public = True
    serializer_class = ArticleSerializer

    def get_queryset(self) -> QuerySet[Article]:
        figures = Figure.objects.order_by("number")
        articles = Article.objects.select_related(
            "section", "responsible_editor", "issue__publication"
        ).prefetch_related(Prefetch("figures", queryset=figures))
        if not self.staff():
            articles = articles.filter(issue__status__in=ISSUE_PUBLIC)
        return filter_queryset(
            articles, self.request, issue_path="issue", lookups={"issue": "issue_id"}
        )

    def _detail(self, article: Article) -> HttpResponseBase:
        data = ArticleSerializer(article, context=self.get_serializer_context()).data
        return with_etag(self.request, Response(data), article_etag(article))

    @extend_schema(
        summary="一篇文章（ETag 为其版本）",
        parameters=[FORMAT],
        examples=[examples.ARTICLE],
    )
    def retrieve(self, request: Request, pk: str) -> HttpResponseBase:
        return self._detail(self.get_object())

    @extend_schema(
        summary="修改文章（须带 If-Match）",
        parameters=[IF_MATCH],
        request=ArticleUpdateSerializer,
        responses=ArticleSerializer,
        examples=[examples.ARTICLE_UPDATE, examples.ARTICLE],
    )
    def partial_update(self, request: Request, pk: str) -> HttpResponseBase:
        article = self.get_object()
        require_if_match(request, article_etag(article))
        data = ArticleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        for field, value in data.validated_data.items():
            setattr(article, field, value)
        article_save(
            actor=request.user, article=article, base_version=article.lock_version, what="API 修改"
        )
        return self._detail(self.get_queryset().get(pk=article.pk))

    @extend_schema(
        summary="文章状态变更：开始编辑、定稿、重新编辑（须带 If-Match）",
        parameters=[IF_MATCH],
        request=ArticleActionSerializer,
        responses=ArticleSerializer,
        examples=[examples.ARTICLE_ACTION, examples.ARTICLE],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> HttpResponseBase:
        """start_edit, mark_ready or reopen — assigned responsible editors, executive editors."""
        article = self.get_object()
        require_if_match(request, article_etag(article))
        data = ArticleActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article_transition(
            actor=request.user, article_id=article.pk, name=data.validated_data["name"]
        )
        return self._detail(self.get_queryset().get(pk=article.pk))


@extend_schema_view(
    list=extend_schema(
        summary="图（插图）列表", parameters=[ARTICLE, ISSUE], examples=examples.FIGURES
    ),
    retrieve=extend_schema(summary="一幅图", examples=[examples.FIGURE]),
)
class FigureViewSet(ReadOnlyViewSet):
    public = True
    serializer_class = FigureSerializer

    def get_queryset(self) -> QuerySet[Figure]:
        figures = Figure.objects.select_related("article__issue__publication").order_by("id")
        if not self.staff():
            figures = figures.filter(article__issue__status__in=ISSUE_PUBLIC)
        return filter_queryset(
            figures,
            self.request,
            issue_path="article__issue",
            lookups={"article": "article_id", "issue": "article__issue_id"},
        )


# Subscribers and deliveries: staff whom the policy allows --------------------------------------

SUBSCRIBER_STATUS = OpenApiParameter(
    "status", str, enum=list(SubscriberStatus.values), description="订阅状态"
)
EMAIL_CONTAINS = OpenApiParameter("q", str, description="电子邮箱包含此文字（不分大小写）")


@extend_schema_view(
    list=extend_schema(
        summary="订阅者列表（管理订阅者的编辑）",
        parameters=[SUBSCRIBER_STATUS, EMAIL_CONTAINS],
        examples=examples.SUBSCRIBERS,
    ),
    retrieve=extend_schema(summary="一位订阅者及其同意记录", examples=[examples.SUBSCRIBER_DETAIL]),
)
class SubscriberViewSet(ReadOnlyViewSet):
    """The mailing list: read by those ``subscriber_manage_check`` allows; unsubscribe, export
    and erase are the services the admin calls (each checks the actor again)."""

    permission_classes = [ReadPublishedOrStaff, PolicyAllows]
    policy = staticmethod(subscriber_manage_check)

    def get_serializer_class(self) -> type[SubscriberSerializer]:
        return SubscriberSerializer if self.action == "list" else SubscriberDetailSerializer

    def get_queryset(self) -> QuerySet[Subscriber]:
        if self.action != "list":
            return Subscriber.objects.prefetch_related("consents")
        subscribers = Subscriber.objects.all()
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in SubscriberStatus.values:
                raise ValidationError(
                    {"status": [f"状态须为 {'、'.join(SubscriberStatus.values)} 之一。"]}
                )
            subscribers = subscribers.filter(status=wanted)
        contains = self.request.query_params.get("q")
        if contains:
            subscribers = subscribers.filter(email__icontains=contains)
        return subscribers

    def _detail(self, pk: int) -> Response:
        return Response(SubscriberDetailSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        summary="应读者要求退订（立即停止发送，记入同意记录）",
        request=None,
        responses=SubscriberDetailSerializer,
        examples=[examples.SUBSCRIBER_UNSUBSCRIBED],
    )
    @action(detail=True, methods=["post"])
    def unsubscribe(self, request: Request, pk: str) -> Response:
        subscriber = subscriber_unsubscribe(
            subscriber=self.get_object(), source=ConsentSource.ADMIN, actor=request.user
        )
        return self._detail(subscriber.pk)

    @extend_schema(
        summary="导出此订阅者的全部数据（读者的查阅请求；记入审计）",
        responses=OpenApiTypes.OBJECT,
        examples=[examples.SUBSCRIBER_EXPORT],
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> Response:
        return Response(subscriber_export(actor=request.user, subscriber=self.get_object()))

    @extend_schema(
        summary="删除此订阅者的个人数据（保留无地址的记录，导入也不会恢复）",
        request=None,
        responses=SubscriberDetailSerializer,
        examples=[examples.SUBSCRIBER_ERASED],
    )
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str) -> Response:
        subscriber = subscriber_erase(actor=request.user, subscriber=self.get_object())
        return self._detail(subscriber.pk)


def _counted(mailings: QuerySet[Mailing]) -> QuerySet[Mailing]:
    """Each mailing with its rows per status, in the one query that reads the mailings."""
    return mailings.annotate(
        **{
            status.name.lower(): Count("deliveries", filter=Q(deliveries__status=status))
            for status in DeliveryStatus
        }
    )


@extend_schema_view(
    list=extend_schema(summary="邮件投递（每期一次）及各状态的数目", examples=examples.MAILINGS),
    retrieve=extend_schema(
        summary="一次邮件投递：各状态的数目，失败与待核实的记录及原因",
        examples=[examples.MAILING_DETAIL],
    ),
)
class DeliveryViewSet(ReadOnlyViewSet):
    """The e-mail editions (``Mailing``), for those ``delivery_view_check`` allows; pause,
    resume, resend and close are the admin's services, which check the issue too."""

    permission_classes = [ReadPublishedOrStaff, PolicyAllows]
    policy = staticmethod(delivery_view_check)

    def get_serializer_class(self) -> type[MailingSerializer]:
        return MailingSerializer if self.action == "list" else MailingDetailSerializer

    def get_queryset(self) -> QuerySet[Mailing]:
        mailings = _counted(Mailing.objects.all())
        if self.action == "list":
            return mailings
        problems = Delivery.objects.filter(status__in=RESENDABLE).order_by("id")
        return mailings.prefetch_related(Prefetch("deliveries", problems, to_attr="problems"))

    def _detail(self, pk: int) -> Response:
        return Response(MailingDetailSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        summary="暂停投递（进行中的一批在下一封前停下）",
        request=None,
        responses=MailingDetailSerializer,
        examples=[examples.MAILING_PAUSED],
    )
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        return self._switch(request, mailing_pause)

    @extend_schema(
        summary="恢复投递",
        request=None,
        responses=MailingDetailSerializer,
        examples=[examples.MAILING_DETAIL],
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        return self._switch(request, mailing_resume)

    def _switch(self, request: Request, service: Callable[..., Mailing]) -> Response:
        """Pause or resume: the service, then the mailing as it is now."""
        mailing = service(actor=request.user, mailing_id=self.get_object().pk)
        return self._detail(mailing.pk)

    def _on_rows(self, request: Request, service: Callable[..., int]) -> Response:
        """Resend or close the rows named by ``delivery_ids``: how many the service took."""
        mailing_id = self.get_object().pk
        data = DeliveryIdsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids: list[int] = data.validated_data["delivery_ids"]
        count = service(actor=request.user, mailing_id=mailing_id, delivery_ids=ids)
        return Response({"count": count})

    @extend_schema(
        summary="重新发送所选的失败或待核实记录（待核实的可能使读者收到两封）",
        request=DeliveryIdsSerializer,
        responses=DeliveryCountSerializer,
        examples=[examples.DELIVERY_IDS, examples.DELIVERY_COUNT],
    )
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, pk: str) -> Response:
        return self._on_rows(request, deliveries_resend)

    @extend_schema(
        summary="关闭所选的失败或待核实记录，不再发送",
        request=DeliveryIdsSerializer,
        responses=DeliveryCountSerializer,
        examples=[examples.DELIVERY_IDS, examples.DELIVERY_COUNT],
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._on_rows(request, deliveries_close)
