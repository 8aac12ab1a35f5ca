"""Serializers: the API's view of the domain. Writes go to services, never to ``save()``.

An issue's content is read from its Edition (what the board signed, for a signed-off issue),
like every other channel; an article's body comes as stored, or rendered (``?format=``).
"""

from collections.abc import Callable
from functools import cached_property
from types import SimpleNamespace
from typing import Any

from django.core.files.storage import default_storage
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from editorial.editions import EditionArticle, EditionFigure, EditionImage, edition_article
from editorial.models import (
    Article,
    Comment,
    Consent,
    CopyrightNotice,
    Delivery,
    Figure,
    Issue,
    Mailing,
    Organisation,
    Person,
    Publication,
    Rendition,
    Section,
    Subscriber,
)
from editorial.public.views import article_body_html
from editorial.richtext import plain_text
from editorial.workflow import ISSUE_PUBLIC

ImageUrl = Callable[[EditionImage], str]


def issue_image_url(issue: Issue) -> ImageUrl:
    """Where a reader fetches an image of ``issue``: the archive's copy once published (checked
    against the Edition), else the stored file (for those who may see the issue)."""
    if issue.status not in ISSUE_PUBLIC:
        return lambda image: default_storage.url(image.name)
    slug, total, revision = issue.publication.slug, issue.total_number, issue.revision

    def public(image: EditionImage) -> str:
        name = f"{image.checksum}{image.suffix}"
        if revision > 1:
            return reverse("public:issue-revision-file", args=[slug, total, revision, name])
        return reverse("public:issue-file", args=[slug, total, name])

    return public


def formatted_body(article: EditionArticle, body_format: str, image_url: ImageUrl) -> str:
    if body_format == "html":
        return article_body_html(article, image_url, typeset=False)
    if body_format == "text":  # each figure as its 图 N caption line
        html = article_body_html(article, image_url, typeset=False)
        return plain_text(html.replace("</figcaption>", "</p>"))
    return article.body


def formatted_notes(article: EditionArticle, body_format: str) -> str:
    return plain_text(article.notes) if body_format == "text" else article.notes


# Shared records -------------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer[Section]):
    class Meta:
        model = Section
        fields = ["id", "slug", "name", "position"]


class PublicationSerializer(serializers.ModelSerializer[Publication]):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "slug",
            "name",
            "tagline",
            "slogan",
            "frequency",
            "phone",
            "fax",
            "email",
            "address",
            "wechat_account_name",
            "sections",
        ]


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["id", "name", "name_en", "acronym", "profile"]


class PersonSerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = ["id", "name"]


class NoticeSerializer(serializers.ModelSerializer[CopyrightNotice]):
    publication: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = CopyrightNotice
        fields = ["id", "publication", "version", "text", "created_at"]


class CommentSerializer(serializers.ModelSerializer[Comment]):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "issue", "article", "parent", "author", "body", "created_at", "resolved_at"]


class CommentCreateSerializer(serializers.Serializer[Comment]):
    """A new comment on an issue, or on one of its articles, or a reply (If-Match: the issue's
    ETag — one comments on the version one read)."""

    issue = serializers.IntegerField(min_value=1)
    article = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    parent = serializers.IntegerField(min_value=1, required=False, allow_null=True)  # type: ignore[assignment]  # the input's key
    body = serializers.CharField(max_length=5000)


# Articles and figures -------------------------------------------------------------------------


class FigureSerializer(serializers.ModelSerializer[Figure]):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = Figure
        fields = ["id", "article", "number", "caption", "image_url", "image_checksum"]

    def get_image_url(self, figure: Figure) -> str | None:
        if not figure.image:
            return None
        image = EditionImage(checksum=figure.image_checksum, name=figure.image.name)
        return issue_image_url(figure.article.issue)(image)


class ArticleSerializer(serializers.ModelSerializer[Article]):
    section = serializers.CharField(source="section.name", read_only=True)
    section_slug = serializers.CharField(source="section.slug", read_only=True)
    responsible_editor = serializers.CharField(
        source="responsible_editor.name", read_only=True, default=None, allow_null=True
    )
    original_url = serializers.CharField(read_only=True, help_text="原文链接，没有时为空")
    body = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    figures = FigureSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "issue",
            "section",
            "section_slug",
            "position",
            "title",
            "body",
            "source",
            "original_url",
            "qr_caption",
            "notes",
            "wechat_title",
            "wechat_digest",
            "responsible_editor",
            "status",
            "lock_version",
            "updated_at",
            "figures",
        ]
        read_only_fields = fields

    def get_body(self, article: Article) -> str:
        shown = edition_article(article)
        return formatted_body(shown, self.context["format"], issue_image_url(article.issue))

    def get_notes(self, article: Article) -> str:
        return formatted_notes(edition_article(article), self.context["format"])


class ArticleUpdateSerializer(serializers.ModelSerializer[Article]):
    """An edit: the fields to change (the version it was made from is the If-Match header)."""

    class Meta:
        model = Article
        fields = [
            "title",
            "body",
            "source",
            "original_url",
            "qr_caption",
            "notes",
            "wechat_title",
            "wechat_digest",
        ]
        extra_kwargs = {name: {"required": False} for name in fields}


class ArticleActionSerializer(serializers.Serializer[Article]):
    name = serializers.ChoiceField(choices=["start_edit", "mark_ready", "reopen"])


# Issues ---------------------------------------------------------------------------------------


class IssueSerializer(serializers.ModelSerializer[Issue]):
    publication = serializers.CharField(source="publication.slug", read_only=True)
    article_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Issue
        fields = [
            "id",
            "publication",
            "date",
            "number",
            "total_number",
            "revision",
            "corrects",
            "status",
            "cover_headline",
            "scheduled_at",
            "published_at",
            "lock_version",
            "updated_at",
            "article_count",
        ]


class EditionReadSerializer(serializers.Serializer[Any]):
    """A read-only serializer of an Edition's frozen dataclasses: the declared fields read in a
    plan made once per serializer, not through DRF's per-field machinery, which for the 400
    values of an issue cost as much as the rest of an uncached issue read. Declared fields are
    still what the schema shows; plain fields, method fields and nested lists are supported."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {name: read(instance) for name, read in self._plan}

    @cached_property
    def _plan(self) -> list[tuple[str, Callable[[Any], Any]]]:
        return [(str(field.field_name), self._reader(field)) for field in self._readable_fields]

    def _reader(self, field: serializers.Field[Any, Any, Any, Any]) -> Callable[[Any], Any]:
        name = str(field.field_name)
        if field.source not in (name, "*"):  # "*": a method field's source
            raise TypeError(f"{type(self).__name__}.{name}: a field's own source is not read here")
        if isinstance(field, serializers.SerializerMethodField):
            method: Callable[[Any], Any] = getattr(self, str(field.method_name))
            return method
        if isinstance(field, serializers.ListSerializer):
            child = field.child.to_representation  # type: ignore[union-attr]
            return lambda instance: [child(item) for item in getattr(instance, name)]
        represent = field.to_representation

        def plain(instance: Any) -> Any:
            value = getattr(instance, name)
            return None if value is None else represent(value)

        return plain


class EditionFigureSerializer(EditionReadSerializer):
    number = serializers.IntegerField()
    caption = serializers.CharField()
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, figure: EditionFigure) -> str | None:
        return self.context["image_url"](figure.image) if figure.image else None


class EditionArticleSerializer(EditionReadSerializer):
    """An article as the issue's Edition holds it."""

    id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    body = serializers.SerializerMethodField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    original_url = serializers.CharField()
    qr_caption = serializers.CharField()
    notes = serializers.SerializerMethodField()
    responsible_editor = serializers.CharField()
    wechat_title = serializers.CharField()
    wechat_digest = serializers.CharField()
    figures = EditionFigureSerializer(many=True)

    def get_body(self, article: EditionArticle) -> str:
        return formatted_body(article, self.context["format"], self.context["image_url"])

    def get_notes(self, article: EditionArticle) -> str:
        return formatted_notes(article, self.context["format"])


class EditionSectionSerializer(EditionReadSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    articles = EditionArticleSerializer(many=True)


class IssueDetailSerializer(IssueSerializer):
    """The issue with its content as its Edition holds it, sections in reading order with
    their articles; ``fingerprint`` is what the board signs and the ETag."""

    fingerprint = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "title", "fingerprint", "notice", "sections"]

    def get_fingerprint(self, issue: Issue) -> str:
        return str(self.context["edition"].fingerprint)

    def get_title(self, issue: Issue) -> str:
        return str(self.context["edition"].title)

    def get_notice(self, issue: Issue) -> str:
        return str(self.context["edition"].notice)

    @extend_schema_field(EditionSectionSerializer(many=True))
    def get_sections(self, issue: Issue) -> list[dict[str, Any]]:
        edition = self.context["edition"]
        sections = [
            SimpleNamespace(
                slug=section.slug,
                name=section.name,
                articles=[a for a in edition.articles if a.section == section],
            )
            for section in edition.sections
        ]
        serializer = EditionSectionSerializer(context=self.context)
        return [serializer.to_representation(section) for section in sections]


class IssueUpdateSerializer(serializers.ModelSerializer[Issue]):
    """An edit of the issue's own fields (the version it was made from is If-Match)."""

    class Meta:
        model = Issue
        fields = ["date", "number", "total_number", "cover_headline"]
        extra_kwargs = {name: {"required": False} for name in fields}


class IssueActionSerializer(serializers.Serializer[Issue]):
    """Input of an issue action: comment (退回修改 needs one), time (排期), reason (勘误).

    A field the API does not know is refused, not dropped; which of these an action takes is
    the action table's to say (``services.issue_actions``)."""

    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    at = serializers.DateTimeField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: "不认识的输入。" for name in unknown}, code="unknown_field"
            )
        return attrs


class AvailableActionsSerializer(serializers.Serializer[Issue]):
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="当前用户此刻可执行的操作，按工作流表的顺序"
    )


class PreflightCheckSerializer(serializers.Serializer[object]):
    level = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    article_id = serializers.IntegerField(allow_null=True)


class RenditionSerializer(serializers.ModelSerializer[Rendition]):
    class Meta:
        model = Rendition
        fields = [
            "id",
            "issue",
            "kind",
            "proof",
            "content_hash",
            "status",
            "checksum",
            "page_count",
            "size",
            "duration",
            "error",
            "created_at",
            "finished_at",
        ]


# Subscribers and deliveries (staff with the permission) ---------------------------------------


class ConsentSerializer(serializers.ModelSerializer[Consent]):
    class Meta:
        model = Consent
        fields = ["action", "at", "source", "consent_text_version", "detail"]


class SubscriberSerializer(serializers.ModelSerializer[Subscriber]):
    class Meta:
        model = Subscriber
        fields = ["id", *Subscriber.RECORD_FIELDS]


class SubscriberDetailSerializer(SubscriberSerializer):
    """The subscriber with the consent record, oldest first (the export adds IP and browser)."""

    consents = ConsentSerializer(many=True, read_only=True)

    class Meta(SubscriberSerializer.Meta):
        fields = [*SubscriberSerializer.Meta.fields, "consents"]


class MailingCountsSerializer(serializers.Serializer[Mailing]):
    """The mailing's delivery rows per status (annotated on the mailing by one query)."""

    queued = serializers.IntegerField(help_text="排队中")
    sending = serializers.IntegerField(help_text="发送中")
    sent = serializers.IntegerField(help_text="已发送")
    failed = serializers.IntegerField(help_text="失败")
    uncertain = serializers.IntegerField(help_text="待核实（可能已发出）")
    skipped = serializers.IntegerField(help_text="已跳过")
    closed = serializers.IntegerField(help_text="已关闭")


class MailingSerializer(serializers.ModelSerializer[Mailing]):
    counts = MailingCountsSerializer(source="*", read_only=True)

    class Meta:
        model = Mailing
        fields = [
            "id",
            "issue",
            "edition_fingerprint",
            "recipients",
            "paused",
            "created_at",
            "counts",
        ]


class DeliveryProblemSerializer(serializers.ModelSerializer[Delivery]):
    """A failed or uncertain row, with its reason (the subscriber by id: addresses are for
    those who manage subscribers)."""

    class Meta:
        model = Delivery
        fields = ["id", "subscriber", "status", "attempts", "error", "sent_at"]


class MailingDetailSerializer(MailingSerializer):
    problems = DeliveryProblemSerializer(many=True, read_only=True)

    class Meta(MailingSerializer.Meta):
        fields = [*MailingSerializer.Meta.fields, "problems"]


class DeliveryIdsSerializer(serializers.Serializer[object]):
    delivery_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000
    )


class DeliveryCountSerializer(serializers.Serializer[object]):
    count = serializers.IntegerField(help_text="改变了的投递记录数（只处理失败或待核实的）")
