"""The site's search page: published articles found by ``editorial.search``, with filters by
year and section, in a fixed number of queries whatever the archive's size."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control

from editorial.public.views import site_page
from editorial.search import MAX_QUERY, SearchFacets, SearchPage
from editorial.search_cache import SearchCache
from editorial.site_version import site_version

PAGE_SIZE = 20
MAX_PAGE = 50


class SearchForm(forms.Form):
    q = forms.CharField(
        label="关键词",
        max_length=MAX_QUERY,
        required=False,
        error_messages={"max_length": f"关键词最多 {MAX_QUERY} 个字。"},
    )
    year = forms.TypedChoiceField(label="年份", coerce=int, required=False, empty_value=None)
    section = forms.ChoiceField(label="栏目", required=False)
    page = forms.IntegerField(label="页码", min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, *args: object, facets: SearchFacets, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        year, section = self.fields["year"], self.fields["section"]
        assert isinstance(year, forms.ChoiceField) and isinstance(section, forms.ChoiceField)  # noqa: S101
        year.choices = [("", "全部年份")] + [(y, f"{y}年") for y in facets.years]
        section.choices = [("", "全部栏目"), *facets.sections]


@cache_control(public=True, max_age=60)
def search_page(request: HttpRequest) -> HttpResponse:
    """``?q=算力&year=2024&section=guoce&page=2``. A page of results is the same for every
    reader until the index or the site changes: kept whole, under both (``SearchCache``)."""
    search = SearchCache.now()
    form = SearchForm(request.GET or None, facets=search.facets())
    if not (form.is_valid() and form.cleaned_data["q"]):
        return _render(request, form, None)
    asked = form.cleaned_data
    number = asked["page"] or 1

    def render() -> bytes:
        page = search.articles(
            asked["q"],
            year=asked["year"],
            section=asked["section"] or None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        return _render(request, form, page).content

    typed = request.GET.get("q", "")  # the box shows the query as typed, spaces and all
    body = search.html([site_version(), typed, asked["year"], asked["section"], number], render)
    return HttpResponse(body)


def _render(request: HttpRequest, form: SearchForm, page: SearchPage | None) -> HttpResponse:
    return site_page(
        request, "public/search.html", {"form": form, "page": page, "max_page": MAX_PAGE}
    )
