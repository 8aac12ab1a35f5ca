"""The search index: one row per article of a published issue, as its Edition shows it."""

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
