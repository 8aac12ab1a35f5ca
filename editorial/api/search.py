"""``GET /api/v1/search/?q=…``: the published articles ``editorial.search`` finds, ranked, with
highlighted title and snippet; open to anyone, like the public site, in two queries."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial.search import MAX_LIMIT, MAX_QUERY, SearchResult, unescaped
from editorial.search_cache import SearchCache


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=MAX_QUERY, help_text="关键词；空格分开的词都须出现")
    year = serializers.IntegerField(min_value=1900, max_value=2100, required=False)
    section = serializers.SlugField(required=False, help_text="栏目代号")
    publication = serializers.SlugField(required=False, help_text="刊物代号")
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=10_000, default=0)


class SearchResultSerializer(serializers.Serializer[SearchResult]):
    article = serializers.IntegerField(source="article_id")
    title = serializers.CharField()
    title_html = serializers.CharField(help_text="标题，HTML 转义，命中处以 <mark> 标出")
    snippet = serializers.SerializerMethodField()
    snippet_html = serializers.CharField(help_text="摘录，HTML 转义，命中处以 <mark> 标出")
    section = serializers.CharField(source="section_slug")
    section_name = serializers.CharField()
    issue = serializers.IntegerField(source="issue_id")
    issue_label = serializers.CharField()
    publication = serializers.CharField(source="publication_slug")
    date = serializers.DateField()
    rank = serializers.FloatField()
    url = serializers.CharField()

    def get_snippet(self, result: SearchResult) -> str:
        return unescaped(result.snippet_html)


class SearchPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(source="total")
    next_offset = serializers.IntegerField(allow_null=True)
    results = SearchResultSerializer(many=True)


class SearchView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=SearchPageSerializer,
        examples=[
            OpenApiExample(
                "算力",
                value={
                    "count": 1,
                    "next_offset": None,
                    "results": [
                        {
                            "article": 42,
                            "title": "河南发布算力基础设施建设实施方案",
                            "title_html": "河南发布<mark>算力</mark>基础设施建设实施方案",
                            "snippet": "…到 2026 年，全省算力总规模 10 EFLOPS…",
                            "snippet_html": "…到 2026 年，全省<mark>算力</mark>总规模 10 EFLOPS…",
                            "section": "difang",
                            "section_name": "地方新政",
                            "issue": 7,
                            "issue_label": "第16期 总第179期",
                            "publication": "dsjfzdt",
                            "date": "2024-05-06",
                            "rank": 0.6,
                            "url": "/archive/dsjfzdt/179/5/",
                        }
                    ],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        """Published articles containing every word of ``q``, best first."""
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = dict(params.validated_data)
        page = SearchCache.now().articles(filters.pop("q"), **filters)
        return Response(SearchPageSerializer(page).data)
