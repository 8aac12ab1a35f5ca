"""Article saves: each a new version with a revision and an audit row; a stale one refused with
the text kept; layout editors change layout only."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from reversion.models import Version

from editorial.models import Article, AuditEntry
from editorial.roles import Role
from editorial.services.articles import StaleEdit, article_save
from editorial.workflow import IssueStatus
from tests import factories
from tests.workflow_helpers import staff

pytestmark = pytest.mark.django_db


def test_a_save_is_a_new_version_with_a_revision_and_an_audit_row() -> None:
    article = factories.ArticleFactory.create()
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    article.source = "河南省工业和信息化厅"

    saved = article_save(actor=executive, article=article, base_version=0)

    assert saved.lock_version == 1
    assert Article.objects.get(pk=article.pk).source == "河南省工业和信息化厅"
    assert Version.objects.get_for_object(article).count() == 1
    assert AuditEntry.objects.get(article=article, action="update").actor == executive


def test_a_save_from_an_older_version_is_refused_and_changes_nothing() -> None:
    article = factories.ArticleFactory.create(source="原来源")
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    first = Article.objects.get(pk=article.pk)
    first.source = "甲"
    article_save(actor=executive, article=first, base_version=0)
    late = Article.objects.get(pk=article.pk)
    late.source = "乙"

    with pytest.raises(StaleEdit):
        article_save(actor=executive, article=late, base_version=0)

    assert Article.objects.get(pk=article.pk).source == "甲"
    assert late.source == "乙"  # the editor's text is still theirs to merge


def test_an_art_editor_may_move_an_article_but_not_change_its_text() -> None:
    article = factories.ArticleFactory.create(position=1)
    art_editor = staff("mo", "莫星星", Role.ART_EDITOR)
    moved = Article.objects.get(pk=article.pk)
    moved.position = 5
    article_save(actor=art_editor, article=moved, base_version=0, layout=True)

    retitled = Article.objects.get(pk=article.pk)
    retitled.title = "改了标题"
    with pytest.raises(PermissionDenied):
        article_save(actor=art_editor, article=retitled, base_version=1, layout=True)
    assert Article.objects.get(pk=article.pk).title == article.title


def test_a_save_reads_nothing_twice(django_assert_max_num_queries: Any) -> None:
    """15 queries, whatever the archive holds: the issue and the article locked, the actor's
    roles and permissions, the write, the revision (with its figures), the audit row and the
    issue's version — validation reloads none of them."""
    issue = factories.IssueFactory.create(status=IssueStatus.IN_EDIT)
    editor = staff("xiong", "熊灵犀", Role.RESPONSIBLE_EDITOR)
    article = factories.ArticleFactory.create(issue=issue, responsible_editor=editor.person)
    factories.FigureFactory.create(article=article, number=1)
    factories.FigureFactory.create(article=article, number=2)
    factories.ArticleFactory.create_batch(20, issue=issue)
    warm = Article.objects.get(pk=article.pk)  # content types are cached after a first save
    article_save(actor=editor, article=warm, base_version=0)
    for version in (1, 2):
        edited = Article.objects.get(pk=article.pk)
        edited.body = f"<p>第 {version} 次修改。</p>"
        actor = User.objects.get(pk=editor.pk)  # a new request's user: nothing cached
        with django_assert_max_num_queries(15):
            article_save(actor=actor, article=edited, base_version=version)
    assert Article.objects.get(pk=article.pk).lock_version == 3


def test_a_row_the_database_refuses_is_a_validation_error_with_the_models_message() -> None:
    article = factories.ArticleFactory.create(source="原来源")
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    edited = Article.objects.get(pk=article.pk)
    edited.source, edited.original_url, edited.qr_caption = "新来源", "https://example.org/a", ""

    with pytest.raises(ValidationError) as refused:
        article_save(actor=executive, article=edited, base_version=0)

    assert refused.value.messages == ["原文链接与二维码说明须同时填写或同时留空。"]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.source, stored.lock_version) == ("原来源", 0)
    assert not AuditEntry.objects.filter(article=article).exists()


def test_figures_are_renumbered_by_their_place_in_the_text_on_save() -> None:
    article = factories.ArticleFactory.create(body="<p>甲</p>")
    for number, caption in [(1, "一号图"), (2, "二号图"), (3, "未放置的图")]:
        factories.FigureFactory.create(article=article, number=number, caption=caption)
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    article.body = (
        '<p>甲</p><figure data-figure="2"></figure><p>乙</p><figure data-figure="1"></figure>'
    )

    article_save(actor=executive, article=article, base_version=0)

    stored = Article.objects.get(pk=article.pk)
    assert stored.body == (
        '<p>甲</p><figure data-figure="1"></figure><p>乙</p><figure data-figure="2"></figure>'
    )
    assert list(stored.figures.values_list("number", "caption")) == [
        (1, "二号图"),
        (2, "一号图"),
        (3, "未放置的图"),
    ]
    # The revision holds the renumbered figures with the renumbered body.
    version = Version.objects.get_for_object(stored).first()
    assert version is not None
    assert version.field_dict["body"] == stored.body


def test_a_marker_without_its_figure_leaves_the_numbers_as_they_are() -> None:
    article = factories.ArticleFactory.create(body="<p>甲</p>")
    factories.FigureFactory.create(article=article, number=1, caption="一号图")
    factories.FigureFactory.create(article=article, number=2, caption="二号图")
    executive = staff("yang", "杨婷", Role.EXECUTIVE_EDITOR)
    body = '<figure data-figure="2"></figure><figure data-figure="7"></figure>'
    article.body = body

    article_save(actor=executive, article=article, base_version=0)

    assert Article.objects.get(pk=article.pk).body == body
    assert list(article.figures.values_list("number", "caption")) == [(1, "一号图"), (2, "二号图")]
