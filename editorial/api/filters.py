"""The query parameters lists take: year, number, section, publication, updated_since (and the
body format every read of an article takes). A bad value is a 400 naming it, never ignored."""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from editorial.models import Article

BODY_FORMATS = ("source", "html", "text")

FORMAT = OpenApiParameter(
    "format",
    str,
    enum=list(BODY_FORMATS),
    description="正文格式：source（存储的 HTML，含图位标记，修改时提交的就是它）、"
    "html（图片就位的网页 HTML）、text（纯文本）。默认 source。",
)
YEAR = OpenApiParameter("year", int, description="出版年份，如 2024")
NUMBER = OpenApiParameter("number", int, description="本年度期号（第N期）")
SECTION = OpenApiParameter("section", str, description="栏目代号，如 guoce")
PUBLICATION = OpenApiParameter("publication", str, description="刊物代号")
UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="只列出此时刻（ISO 8601，含时区）之后修改过的",
)
ISSUE = OpenApiParameter("issue", int, description="期的 id")
ARTICLE = OpenApiParameter("article", int, description="文章的 id")


def body_format(request: Request) -> str:
    value = request.query_params.get("format", "source")
    if value not in BODY_FORMATS:
        raise ValidationError({"format": [f"正文格式须为 {'、'.join(BODY_FORMATS)} 之一。"]})
    return value


def _int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 9:
        raise ValidationError({name: ["须为正整数。"]})
    return int(value)


def _since(request: Request) -> datetime.datetime | None:
    value = request.query_params.get("updated_since")
    if not value:
        return None
    try:
        since = datetime.datetime.fromisoformat(value)
    except ValueError:
        since = None
    if since is None or since.tzinfo is None:
        raise ValidationError(
            {"updated_since": ["须为带时区的 ISO 8601 时刻，如 2024-05-06T08:00:00+08:00。"]}
        )
    return since


def filter_queryset(
    queryset: QuerySet[Any], request: Request, *, issue_path: str, lookups: dict[str, str]
) -> QuerySet[Any]:
    """Apply the parameters ``lookups`` names (parameter → field) and year, number, section,
    publication and updated_since; ``issue_path`` leads from the rows to their issue."""
    prefix = f"{issue_path}__" if issue_path else ""
    for name, field in lookups.items():
        value = _int(request, name)
        if value is not None:
            queryset = queryset.filter(**{field: value})
    year, number = _int(request, "year"), _int(request, "number")
    if year is not None:
        queryset = queryset.filter(**{f"{prefix}date__year": year})
    if number is not None:
        queryset = queryset.filter(**{f"{prefix}number": number})
    publication = request.query_params.get("publication")
    if publication:
        queryset = queryset.filter(**{f"{prefix}publication__slug": publication})
    section = request.query_params.get("section")
    if section:
        if queryset.model is Article:
            queryset = queryset.filter(section__slug=section)
        else:  # issues with an article in the section, each once (no join that repeats rows)
            in_section = Article.objects.filter(issue=OuterRef("pk"), section__slug=section)
            queryset = queryset.filter(Exists(in_section))
    since = _since(request)
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    return queryset
