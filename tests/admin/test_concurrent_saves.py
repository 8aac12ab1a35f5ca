"""Simultaneous admin saves on PostgreSQL: one goes through, every other editor gets the conflict
on the form with their text kept; and a save without its base version is refused the same way."""

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from editorial.admin.articles import ArticleForm
from editorial.admin.issues import IssueForm
from editorial.models import Article, Issue
from editorial.workflow import IssueStatus
from tests import factories
from tests.admin.forms import form_data
from tests.workflow.states import bring_to, small_issue
from tests.workflow.test_concurrency import race

EDITORS = 4


def logged_in_clients(user: User) -> list[Client]:
    clients = [Client() for _ in range(EDITORS)]
    for client in clients:
        client.force_login(user)
    return clients


def meet_after_the_form_check(monkeypatch: pytest.MonkeyPatch, form: type[Any]) -> None:
    """Every request passes the form's own check before any of them saves: the race the
    service's row lock decides. The view's second run (after the refusal) does not wait."""
    barrier = threading.Barrier(EDITORS)
    waited = threading.local()
    check_fresh = form.check_fresh

    def check_then_meet(self: Any, base_version: int | None) -> None:
        check_fresh(self, base_version)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait(timeout=10)

    monkeypatch.setattr(form, "check_fresh", check_then_meet)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_article_saves_give_every_loser_the_conflict_with_their_text(
    monkeypatch: pytest.MonkeyPatch, superuser: User
) -> None:
    article = factories.ArticleFactory.create(title="原标题")
    url = reverse("admin:editorial_article_change", args=[article.pk])
    clients = logged_in_clients(superuser)
    posts = []
    for i, client in enumerate(clients):
        data = form_data(client.get(url).content.decode(), "article_form")
        data["title"] = [f"第{i}位编辑的标题"]
        posts.append((client, data))
    meet_after_the_form_check(monkeypatch, ArticleForm)

    responses = race(*[lambda c=c, d=d: c.post(url, d) for c, d in posts])

    assert sorted(r.status_code for r in responses) == [200] * (EDITORS - 1) + [302], responses
    stored = Article.objects.get(pk=article.pk)
    assert stored.lock_version == 1
    for i, response in enumerate(responses):
        if response.status_code == 302:
            assert stored.title == f"第{i}位编辑的标题"
        else:
            content = response.content.decode()
            assert "保存被拒绝：这篇文章已被" in content
            assert f"第{i}位编辑的标题" in content


@pytest.mark.django_db(transaction=True)
def test_simultaneous_issue_saves_give_every_loser_the_conflict_with_their_text(
    monkeypatch: pytest.MonkeyPatch, superuser: User
) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    url = reverse("admin:editorial_issue_change", args=[issue.pk])
    clients = logged_in_clients(superuser)
    posts = []
    for i, client in enumerate(clients):
        data = form_data(client.get(url).content.decode(), "issue_form")
        data["cover_headline"] = [f"第{i}位编辑的要闻"]
        posts.append((client, data))
    meet_after_the_form_check(monkeypatch, IssueForm)

    responses = race(*[lambda c=c, d=d: c.post(url, d) for c, d in posts])

    assert sorted(r.status_code for r in responses) == [200] * (EDITORS - 1) + [302], responses
    stored = Issue.objects.get(pk=issue.pk)
    for i, response in enumerate(responses):
        if response.status_code == 302:
            assert stored.cover_headline == f"第{i}位编辑的要闻"
        else:
            content = response.content.decode()
            assert "保存被拒绝：本期已被" in content
            assert f"第{i}位编辑的要闻" in content


@pytest.mark.django_db
@pytest.mark.parametrize("base_version", [None, ""], ids=["missing", "blank"])
def test_an_article_save_without_its_base_version_is_refused_with_the_text_kept(
    editor_client: Client, base_version: str | None
) -> None:
    article = factories.ArticleFactory.create(title="原标题")
    url = reverse("admin:editorial_article_change", args=[article.pk])
    data = form_data(editor_client.get(url).content.decode(), "article_form")
    data["title"] = ["没有版本号的标题"]
    if base_version is None:
        del data["base_version"]
    else:
        data["base_version"] = [base_version]

    response = editor_client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "保存被拒绝：表单没有带上它所基于的版本" in content
    assert "没有版本号的标题" in content
    assert Article.objects.get(pk=article.pk).title == "原标题"
    # The form now carries the stored version: saving again, after checking, goes through.
    again = form_data(content, "article_form")
    assert editor_client.post(url, again).status_code == 302
    assert Article.objects.get(pk=article.pk).title == "没有版本号的标题"


@pytest.mark.django_db
def test_an_issue_save_without_its_base_version_is_refused_with_the_text_kept(
    editor_client: Client,
) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    url = reverse("admin:editorial_issue_change", args=[issue.pk])
    data = form_data(editor_client.get(url).content.decode(), "issue_form")
    data["cover_headline"] = ["没有版本号的要闻"]
    del data["base_version"]

    response = editor_client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "保存被拒绝：表单没有带上它所基于的版本" in content
    assert "没有版本号的要闻" in content
    assert Issue.objects.get(pk=issue.pk).cover_headline == issue.cover_headline


def refused_after_another_save(
    client: Client, url: str, form_id: str, field: str, mine: str
) -> str:
    """Open the form twice; the second copy saves first; the first comes back refused."""
    data = form_data(client.get(url).content.decode(), form_id)
    other = form_data(client.get(url).content.decode(), form_id)
    other[field] = ["另一位编辑先保存的内容"]
    assert client.post(url, other).status_code == 302
    data[field] = [mine]
    response = client.post(url, data)
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.mark.django_db
def test_a_stale_article_save_says_so_once_and_keeps_the_title_and_body(
    editor_client: Client,
) -> None:
    article = factories.ArticleFactory.create(title="原标题")
    url = reverse("admin:editorial_article_change", args=[article.pk])
    data = form_data(editor_client.get(url).content.decode(), "article_form")
    data["body"] = ["<p>我刚写好的一整段正文。</p>"]
    other = dict(data, title=["另一位编辑的标题"], body=[article.body])
    assert editor_client.post(url, other).status_code == 302
    data["title"] = ["我的标题"]

    html = editor_client.post(url, data).content.decode()

    assert html.count("保存被拒绝") == 1
    assert 'class="errornote"' not in html  # no "please correct the error below" on top
    assert 'class="errorlist nonfield"' not in html
    kept = form_data(html, "article_form")
    assert kept["title"] == ["我的标题"]
    assert "我刚写好的一整段正文。" in kept["body"][0]


@pytest.mark.django_db
def test_a_stale_issue_save_says_so_once_in_the_stale_box(editor_client: Client) -> None:
    issue = bring_to(small_issue(), IssueStatus.IN_EDIT)
    url = reverse("admin:editorial_issue_change", args=[issue.pk])

    html = refused_after_another_save(
        editor_client, url, "issue_form", "cover_headline", "我的要闻"
    )

    assert html.count("保存被拒绝") == 1
    assert 'id="stale-box"' in html
    assert 'class="errornote"' not in html
    assert form_data(html, "issue_form")["cover_headline"] == ["我的要闻"]
