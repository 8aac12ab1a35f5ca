"""generate_archive: weeks of published issues in bulk, each readable and searchable as if it had
been approved and published; the same for the same seed; refused on a second run."""

import io
import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from editorial.management.commands.generate_archive import _article_body, _article_title
from editorial.models import ApprovedEdition, Article, Issue, SearchEntry
from editorial.richtext import plain_text
from editorial.search import search_articles
from editorial.selectors import issue_edition, issue_live_edition
from editorial.workflow import IssueStatus

pytestmark = pytest.mark.django_db


def test_the_command_writes_published_issues_with_their_edition_and_index(client: Client) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_archive", "--issues", "3", "--seed", "5", stdout=out, stderr=err)
    issues = list(Issue.objects.order_by("total_number"))
    assert [(i.total_number, i.number, i.date.isoformat()) for i in issues] == [
        (1, 1, "2025-12-15"),
        (2, 2, "2025-12-22"),
        (3, 3, "2025-12-29"),
    ]
    assert {i.status for i in issues} == {IssueStatus.PUBLISHED}
    articles = Article.objects.count()
    assert 36 <= articles <= 60 and SearchEntry.objects.count() == articles
    assert ApprovedEdition.objects.count() == 3
    assert "3/3" in err.getvalue() and f"3 期，{articles} 篇文章" in out.getvalue()
    # The planner knows how many rows were written: the statistics were refreshed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'editorial_article'")
        assert cursor.fetchone()[0] == articles
    # Each issue shows the Edition kept at approval, which is the content as it is.
    for issue in issues:
        assert issue_edition(issue.pk) == issue_live_edition(issue.pk)
    lengths = [len(plain_text(body)) for body in Article.objects.values_list("body", flat=True)]
    assert 1100 <= sum(lengths) / len(lengths) <= 2000
    bodies = "".join(Article.objects.values_list("body", flat=True))
    assert re.search(r"[\u4e00-\u9fff]{2,5}〔2025〕\d+号", bodies)
    assert search_articles("算力").total > 0
    assert client.get(f"/archive/shengcheng/{issues[0].total_number}/").status_code == 200
    with pytest.raises(CommandError, match="已存在"):
        call_command("generate_archive", "--issues", "1", stdout=out, stderr=err)


def test_the_same_seed_gives_the_same_archive() -> None:
    def text(seed: str) -> str:
        rng = random.Random(seed)  # noqa: S311
        return _article_title(rng, 2024) + _article_body(rng, 2024)

    assert text("a") == text("a") != text("b")


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        call_command("generate_archive", "--help")
    assert excinfo.value.code == 0
    assert "--years" in capsys.readouterr().out


def test_search_reindex_rebuilds_the_index_of_the_published_issues() -> None:
    call_command("generate_archive", "--issues", "2", stdout=io.StringIO(), stderr=io.StringIO())
    before = list(SearchEntry.objects.order_by("pk").values_list("pk", "tokens"))
    SearchEntry.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command("search_reindex", stdout=out, stderr=err)
    assert list(SearchEntry.objects.order_by("pk").values_list("pk", "tokens")) == before
    assert f"{len(before)} 篇文章" in out.getvalue() and "2/2" in err.getvalue()
