"""Change and add pages of articles, people, organisations and publications."""

import warnings

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.test import Client
from django.urls import reverse

from editorial.models import Organisation, Publication, Section
from tests import factories
from tests.admin.forms import form_data, single

pytestmark = pytest.mark.django_db


def test_article_page_shows_figures_with_thumbnails(editor_client: Client) -> None:
    article = factories.ArticleFactory.create()
    figure = factories.FigureFactory.create(article=article, number=1, caption="电子信息制造业增速")

    response = editor_client.get(reverse("admin:editorial_article_change", args=[article.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "电子信息制造业增速" in content
    assert f'<img src="{figure.image.url}"' in content


def test_article_add_form_from_an_issue_places_the_article_last(editor_client: Client) -> None:
    issue = factories.IssueFactory.create()
    factories.ArticleFactory.create(issue=issue, position=4)

    response = editor_client.get(reverse("admin:editorial_article_add"), {"issue": issue.pk})

    initial = single(form_data(response.content.decode(), "article_form"))
    assert (initial["issue"], initial["position"]) == (str(issue.pk), "5")


def test_article_autocomplete_finds_responsible_editors(editor_client: Client) -> None:
    """Also: the annotated queryset keeps an ordering, so autocomplete pages are stable."""
    factories.PersonFactory.create(name="熊灵犀")
    factories.PersonFactory.create(name="陈贝")

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "灵犀",
                "app_label": "editorial",
                "model_name": "article",
                "field_name": "responsible_editor",
            },
        )

    assert [r["text"] for r in response.json()["results"]] == ["熊灵犀"]


def test_person_page_offers_the_login_by_autocomplete(editor_client: Client) -> None:
    user = factories.UserFactory.create(username="xiong")
    person = factories.PersonFactory.create(name="熊灵犀", user=user)

    response = editor_client.get(reverse("admin:editorial_person_change", args=[person.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "admin-autocomplete" in content
    assert single(form_data(content, "person_form"))["user"] == str(user.pk)


def test_organisation_page_previews_the_logo(editor_client: Client) -> None:
    organisation = factories.OrganisationFactory.create(logo=factories.png_file("logo.png"))

    response = editor_client.get(
        reverse("admin:editorial_organisation_change", args=[organisation.pk])
    )

    assert f'<img src="{organisation.logo.url}"' in response.content.decode()
    assert Organisation.objects.count() == 1


def test_publication_page_orders_sections_in_a_sortable_inline(
    editor_client: Client, publication: Publication
) -> None:
    for position, name in [(2, "地方新政"), (1, "国策要论"), (3, "产业前沿")]:
        factories.SectionFactory.create(publication=publication, name=name, position=position)
    url = reverse("admin:editorial_publication_change", args=[publication.pk])

    response = editor_client.get(url)

    content = response.content.decode()
    assert "sortable" in content
    order = [content.index(name) for name in ("国策要论", "地方新政", "产业前沿")]
    assert order == sorted(order)

    data = form_data(content, "publication_form")
    rows = {data[f"sections-{i}-name"][0]: i for i in range(3)}
    for position, name in enumerate(["产业前沿", "国策要论", "地方新政"], start=1):
        data[f"sections-{rows[name]}-position"] = [str(position)]
    assert editor_client.post(url, data).status_code == 302
    names = Section.objects.filter(publication=publication).values_list("name", flat=True)
    assert list(names) == ["产业前沿", "国策要论", "地方新政"]


@pytest.mark.parametrize(
    "name",
    ["publication", "section", "copyrightnotice", "organisation", "person", "issue", "article"],
)
def test_every_add_page_renders(editor_client: Client, publication: Publication, name: str) -> None:
    assert editor_client.get(reverse(f"admin:editorial_{name}_add")).status_code == 200


def test_article_autocomplete_finds_issues_by_cover_headline(editor_client: Client) -> None:
    wanted = factories.IssueFactory.create(cover_headline="数字经济工作要点")
    factories.IssueFactory.create(cover_headline="别的要闻")

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnorderedObjectListWarning)
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "数字经济",
                "app_label": "editorial",
                "model_name": "article",
                "field_name": "issue",
            },
        )

    assert [r["id"] for r in response.json()["results"]] == [str(wanted.pk)]
