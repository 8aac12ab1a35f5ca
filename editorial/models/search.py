"""The search index: one row per article of a published issue, as its Edition shows it, and
the generation of the index that cached results belong to."""

import uuid

from django.db import models

from .articles import Article
from .issues import Issue
from .publications import Publication


class SearchEntry(models.Model):
    """A published article as search finds it (``editorial/search.py``).

    Written only by ``services/search_index.py`` when an issue is published (and removed when it
    is superseded), from the Edition the issue ships. ``title_tokens`` and ``tokens`` are the
    words jieba finds, space-separated: the database's full-text index is built on them (a
    tsvector with a GIN index on PostgreSQL, an FTS5 table on SQLite; migration 0013). ``text``
    is the plain text, for exact matches of short words and for the snippets.
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
        verbose_name="文章",
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="search_entries", verbose_name="期"
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", verbose_name="刊物"
    )
    date = models.DateField("出版日期", db_index=True)
    position = models.PositiveIntegerField("本期中的顺序")
    section_slug = models.SlugField("栏目标识", max_length=50)
    section_name = models.CharField("栏目", max_length=100)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("正文（纯文本）")
    title_tokens = models.TextField("标题分词")
    tokens = models.TextField("正文分词")

    class Meta:
        verbose_name = "搜索索引条目"
        verbose_name_plural = "搜索索引条目"
        ordering = ["-date", "position"]
        indexes = [models.Index(fields=["section_slug", "date"], name="search_section_date")]

    def __str__(self) -> str:
        return self.title


class SearchGeneration(models.Model):
    """Which state of the index a cached page of results belongs to (``editorial/search_cache.py``).

    One row, given a new random token in every transaction that writes the index
    (``services/search_index.py``), so that a publication makes every cached result stale at
    once, in every process, the moment it commits. A token, not a counter: a counter rolled back
    with its transaction would be counted again for another state of the index.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.UUIDField("索引版本", default=uuid.uuid4)

    class Meta:
        verbose_name = "搜索索引版本"
        verbose_name_plural = "搜索索引版本"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="search_generation_one")
        ]

    def __str__(self) -> str:
        return str(self.token)
