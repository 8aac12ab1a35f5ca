"""The site's search page: published articles found by ``editorial.search``, with filters by
year and section, in a fixed number of queries whatever the archive's size."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control

from editorial.public.views import site_page
from editorial.search import MAX_QUERY, SearchFacets
from editorial.search_cache import SearchCache

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
    """``?q=算力&year=2024&section=guoce&page=2``."""
    search = SearchCache.now()
    form = SearchForm(request.GET or None, facets=search.facets())
    page = None
    if form.is_valid() and form.cleaned_data["q"]:
        number = form.cleaned_data["page"] or 1
        page = search.articles(
            form.cleaned_data["q"],
            year=form.cleaned_data["year"],
            section=form.cleaned_data["section"] or None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
    return site_page(
        request, "public/search.html", {"form": form, "page": page, "max_page": MAX_PAGE}
    )
