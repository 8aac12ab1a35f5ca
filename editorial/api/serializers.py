"""Serializers: the API's view of the domain. Writes go to services, never to ``save()``."""

from typing import Any

from rest_framework import serializers

from editorial.models import Article, Figure, Issue, Rendition
from editorial.services.policies import issue_available_actions


class FigureSerializer(serializers.ModelSerializer[Figure]):
    class Meta:
        model = Figure
        fields = ["id", "number", "caption", "image"]


class ArticleSerializer(serializers.ModelSerializer[Article]):
    section = serializers.CharField(source="section.name", read_only=True)
    responsible_editor = serializers.CharField(
        source="responsible_editor.name", read_only=True, default=None
    )
    figures = FigureSerializer(many=True, read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "issue",
            "section",
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
        read_only_fields = ["issue", "position", "status", "lock_version", "updated_at"]


class ArticleUpdateSerializer(serializers.ModelSerializer[Article]):
    """An edit: the fields to change and the version it was made from (stale → 409)."""

    base_version = serializers.IntegerField(min_value=0, write_only=True)

    class Meta:
        model = Article
        editable = [
            "title",
            "body",
            "source",
            "original_url",
            "qr_caption",
            "notes",
            "wechat_title",
            "wechat_digest",
        ]
        fields = ["base_version", *editable]
        extra_kwargs = {name: {"required": False} for name in editable}


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
            "status",
            "cover_headline",
            "scheduled_at",
            "published_at",
            "lock_version",
            "article_count",
        ]


class IssueUpdateSerializer(serializers.ModelSerializer[Issue]):
    """An edit of the issue's own fields and the version it was made from (stale → 409)."""

    base_version = serializers.IntegerField(min_value=0, write_only=True)

    class Meta:
        model = Issue
        editable = ["date", "number", "total_number", "cover_headline"]
        fields = ["base_version", *editable]
        extra_kwargs = {name: {"required": False} for name in editable}


class IssueDetailSerializer(IssueSerializer):
    articles = ArticleSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "articles", "available_actions"]

    def get_available_actions(self, issue: Issue) -> list[str]:
        """The actions the requesting user may take now, as the services decide them."""
        return issue_available_actions(
            self.context["request"].user,
            issue,
            approvals=issue.approvals.all(),
            corrected=Issue.objects.filter(corrects=issue).exists(),
        )


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


class ArticleActionSerializer(serializers.Serializer[Article]):
    name = serializers.ChoiceField(choices=["start_edit", "mark_ready", "reopen"])


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
