"""What every list shares: a model's one search through its folded keys, paging that never
fails on what a visitor types into the URL (and the admin's paginator, which counts a whole
big table by the planner's estimate), drop-downs cheap to render, and the active filters
shown as removable chips."""

import functools
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt, pretty_name
from django.http import HttpRequest
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cache import cached, cached_count
from .text import query_key

PER_PAGE = 20


@dataclass
class Paging:
    page: Page
    query: str = ""  # the list's other parameters, url-encoded
    error: str = ""

    @property
    def objects(self) -> list:
        return self.page.object_list

    def _url(self, number: int) -> str:
        return f"?{self.query}&page={number}" if self.query else f"?page={number}"

    @property
    def previous_url(self) -> str:
        return self._url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self._url(self.page.next_page_number()) if self.page.has_next() else ""


class FoldedSearchQuerySet(QuerySet):
    """Records that keep their text folded in ``search_keys`` (core.text): ``search("rakow")``
    finds "Raków", whatever the case and diacritics, on PostgreSQL through each key's trigram
    index. The one search of a model: its public list (ListFilterSet) and its admin use it."""

    search_keys: tuple[str, ...] = ("search_text",)

    def search_condition(self, text: str) -> Q | None:
        """The condition of ``search(text)``; None when the text folds to nothing."""
        key = query_key(text)
        if not key:
            return None
        condition = Q()
        for field in self.search_keys:
            condition |= Q(**{f"{field}__contains": key})
        return condition

    def search(self, text: str):
        condition = self.search_condition(text)
        return self if condition is None else self.filter(condition)


class CachedCountPaginator(Paginator):
    """A paginator whose row count is counted once per data generation (core.cache);
    a plain list (the sitemap's fixed pages) is counted as Django counts it."""

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        return cached_count(self.object_list)


class EstimatedCountPaginator(CachedCountPaginator):
    """The admin's paginator: the count of a whole big table is PostgreSQL's estimate, which
    costs nothing, instead of a scan of every row; a filtered or searched list, a small table
    and other databases are counted exactly, once per data generation (CachedCountPaginator),
    through the indexes of the filter. ``whole_table``: the rows are the model's every row."""

    # Below this many rows a table is counted exactly: the count is cheap and staff see it.
    EXACT_BELOW = 10_000
    # Below this many matches, reading all their ids is cheap whatever the table's size.
    SPARSE_BELOW = 1_000

    def __init__(
        self,
        *args,
        whole_table: bool = False,
        rows: QuerySet | None = None,
        related=(),
        read_all_ids_below: int = 0,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.whole_table = whole_table
        self.rows, self.related = rows, related
        self.read_all_ids_below = read_all_ids_below

    def page(self, number) -> Page:
        """The page read in two steps, as ``paginate`` reads a public list's: the ids in the
        list's order (the filter and the sort on the plain table, through its indexes), then
        those rows from ``rows`` with their ``related`` relations. Joining every matching row
        to its relations before sorting and cutting the page would cost the table's size.

        When the (exact) count is below ``read_all_ids_below``, the ids are read without LIMIT
        and cut here: with one, PostgreSQL may walk the list's order index hoping to meet the
        matches early, and when they are rare it walks the whole table instead."""
        if self.rows is None or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values_list("pk", flat=True)
        ids = cached_ids(ids)[bottom:top] if self.reads_all_ids() else list(ids[bottom:top])
        by_id = {row.pk: row for row in self.rows.filter(pk__in=ids).select_related(*self.related).order_by()}
        return Page([by_id[pk] for pk in ids if pk in by_id], number, self)

    def reads_all_ids(self) -> bool:
        if self.whole_table or self.count >= self.read_all_ids_below:
            return False
        if self.count < self.SPARSE_BELOW or connection.vendor != "postgresql":
            return True
        # Thousands of matches: sorted whole when they are a small part of the table (7,048
        # "osrodek" among 100,000 institutions, most of them far along the name index), walked
        # along the order index when they are most of it ("porozumienie" is in the title of
        # every agreement: the walk meets a page of them at once, sorting all costs 25 ms).
        return self.count * 2 < planner_row_estimate(self.object_list.model._meta.db_table)

    @cached_property
    def count(self) -> int:
        if self.whole_table and connection.vendor == "postgresql":
            estimate = planner_row_estimate(self.object_list.model._meta.db_table)
            if estimate >= self.EXACT_BELOW:
                return estimate
        return super().count


def cached_ids(queryset: QuerySet) -> list:
    """Every id of ``queryset`` in its order, read once per data generation, like its count
    (``cached_count``): a search with thousands of matches is sorted whole once, and its next
    pages, and the list again after opening a record, read the cache. Only ids are kept; the
    rows are read afresh through the user's own scoped queryset."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    return cached(f"ids:{sql}:{params!r}", lambda: list(queryset))


def planner_row_estimate(table: str) -> int:
    """PostgreSQL's own estimate of a table's rows, kept by VACUUM and ANALYZE (the statistics
    in pg_class, https://www.postgresql.org/docs/current/row-estimation-examples.html); -1 when
    the table was never analysed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else -1


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE, related=(), prefetch=()) -> Paging:
    """The requested page of ``queryset``, evaluated; a bad ``page`` gives page 1 or the last,
    with a message.

    Read in two steps: the page's ids from the index of the list's order, then those rows with
    their relations (``related`` for select_related, ``prefetch`` for prefetch_related). A deep
    page (OFFSET 99,980) then skips index entries only, instead of joining every skipped row to
    its relations, and the search's condition is not evaluated a second time. Three queries and
    the prefetches, whatever the page: the count (none when it is cached for this generation),
    the ids, the rows.
    """
    paginator = CachedCountPaginator(queryset.values_list("pk", flat=True), per_page, allow_empty_first_page=True)
    raw = request.GET.get("page", "1")
    error = ""
    try:
        number = int(raw)
    except ValueError:
        number, error = (
            1,
            _("“%(page)s” is not a page number; showing the first page.")
            % {"page": "".join(c for c in raw[:20] if c.isprintable())},
        )
    else:
        if number < 1:
            number, error = 1, _("Pages are numbered from 1; showing the first page.")
        elif number > paginator.num_pages:
            number, error = (
                paginator.num_pages,
                _("There is no page %(page)d; showing the last page.") % {"page": number},
            )
    page = paginator.page(number)
    ids = list(page.object_list)
    rows = queryset.model._default_manager.filter(pk__in=ids).select_related(*related).prefetch_related(*prefetch)
    by_id = {row.pk: row for row in rows}
    page.object_list = [by_id[pk] for pk in ids if pk in by_id]
    query = request.GET.copy()
    query.pop("page", None)
    return Paging(page=page, query=query.urlencode(), error=error)


class QuickSelect(forms.Select):
    """A <select> written out in Python. Django's form templates render a sub-template for
    every option, and the 380 powiats of a filter then cost more than the rest of the page.
    The options' markup is kept per set of choices (and so per language), so a list page
    does not escape 380 names again on every request; only "selected" is put in."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        choices = tuple((str(value), str(label)) for value, label in self.choices)
        options = _options_markup(choices)
        for selected in dict.fromkeys(widget["value"]):
            plain = format_html('<option value="{}">', selected)
            options = options.replace(plain, plain[:-1] + " selected>", 1)
        # The markup is escaped once, in _options_markup; replace() hands back a plain str.
        options = mark_safe(options)  # noqa: S308
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


@functools.lru_cache(maxsize=64)
def _options_markup(choices: tuple[tuple[str, str], ...]) -> str:
    """The <option>s of plain (value, label) pairs: the drop-downs' choices are flat."""
    return format_html_join("", '<option value="{}">{}</option>', choices)


class ListFilterSet(django_filters.FilterSet):
    """Base of the public lists' FilterSets. The rows start from the model's one definition of
    "public" (``Meta.model.objects.public()``) in ``ordering`` (None: the model's own); ``q``
    is the model's own search (``FoldedSearchQuerySet.search``: "rakow" finds "Raków"); the
    drop-downs are QuickSelects."""

    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"), max_length=500)

    ordering: tuple[str, ...] | None = ("name", "pk")

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = self.Meta.model.objects.public()
        if self.ordering:
            queryset = queryset.order_by(*self.ordering)
        super().__init__(data, queryset, **kwargs)

    def search(self, queryset, name: str, value: str):
        key = query_key(value)
        if not key:
            return queryset
        # The model's own search (FoldedSearchQuerySet) of each term, and what else q means.
        condition = Q()
        for term in self.search_terms(key):
            condition |= queryset.search_condition(term) or Q(pk__in=[])
        return queryset.filter(condition | self.search_also(key))

    def search_terms(self, key: str) -> list[str]:
        """The folded texts ``q`` looks for in the keys: the query itself, and what a subclass
        knows it to mean as well (an abbreviation written out)."""
        return [key]

    def search_also(self, key: str) -> Q:
        """Rows ``q`` finds besides those whose keys contain it (records in a place of that
        name, institutions of a kind so abbreviated): a condition a subclass adds, which must
        stay index-backed (an IN list of keys, not a join), so that the database still combines
        the conditions' indexes by a bitmap OR. Nothing by default."""
        return Q(pk__in=[])

    def get_form_class(self):
        form_class = super().get_form_class()

        class ListFilterForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    if type(field.widget) is forms.Select:
                        quick = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)
                        quick.is_required = field.widget.is_required
                        field.widget = quick

        ListFilterForm.__name__ = form_class.__name__
        return ListFilterForm


class StableOrderingFilter(django_filters.OrderingFilter):
    """The list's ``sortuj``, with ties broken by name and id: rows that sort alike (the same
    number of members, the same year) keep one order, so paging never repeats or skips one.
    A QuickSelect, as the lists' other drop-downs."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", QuickSelect)
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        """django-filter's choices, with the descending labels left lazy: its own are formatted
        when the FilterSet class is defined, in whatever language was active then, so that
        an English page showed "nazwa (malejąco)"."""
        ascending = [(param, labels.get(field, pretty_name(param))) for field, param in fields.items()]
        descending = [
            (f"-{param}", labels.get(f"-{param}", format_lazy("{} ({})", label, gettext_lazy("descending"))))
            for param, label in ascending
        ]
        return [choice for pair in zip(ascending, descending, strict=True) for choice in pair]

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "name", "pk")
        return qs


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    value: str
    remove_url: str
    name: str = ""  # the query parameter


def active_filters(request: HttpRequest, filterset: django_filters.FilterSet, ignored=("page", "sortuj")) -> list:
    """The filters in force, each with the URL of the same list without it (and back on page 1)."""
    if not filterset.is_bound or not hasattr(filterset.form, "cleaned_data"):
        return []
    result = []
    for name, value in filterset.form.cleaned_data.items():
        if name in ignored or value in (None, "", [], ()):
            continue
        field = filterset.form.fields[name]
        choices = dict(getattr(field, "choices", None) or getattr(field.widget, "choices", ()))
        key = str(value).lower() if isinstance(value, bool) else value
        shown = choices.get(key, choices.get(str(key), value))
        if describe := getattr(filterset.filters[name], "describe", None):
            shown = describe(value)  # a value without choices, such as an institution's slug
        params = request.GET.copy()
        for key in (name, "page"):
            params.pop(key, None)
        query = params.urlencode()
        result.append(ActiveFilter(str(field.label), str(shown), f"?{query}" if query else request.path, name))
    return result


@dataclass(frozen=True)
class Suggestion:
    """A filter to drop when nothing matches, and how many rows the list would then have."""

    filter: ActiveFilter
    count: int


def suggestions(request: HttpRequest, filterset: django_filters.FilterSet, active: list[ActiveFilter]) -> list:
    """For a list that matches nothing: each filter in force whose removal would give rows,
    with that number, the most rows first. One count per filter in force (each cached for the
    data generation), and none at all when the list has rows or no filter is in force."""
    found = []
    for chip in active:
        params = request.GET.copy()
        for key in (chip.name, "page"):
            params.pop(key, None)
        without = type(filterset)(params or None)
        count = cached_count(without.qs)
        if count:
            found.append(Suggestion(chip, count))
    return sorted(found, key=lambda suggestion: -suggestion.count)


def list_parameters(filterset_class: type[django_filters.FilterSet]) -> tuple[str, ...]:
    """The query parameters a list page reads: its FilterSet's filters and ``page`` (paginate).

    What a list view declares to the page cache (core.page_cache.cacheable), taken from the
    FilterSet itself so that a new filter is never left out of the key.
    """
    return (*filterset_class.base_filters, "page")


def listing_context(
    request: HttpRequest, filterset: django_filters.FilterSet, title: str, related=(), prefetch=()
) -> dict:
    """What templates/list_base.html needs: the filters, the requested page of the filtered rows
    (evaluated, with ``related`` and ``prefetch`` as ``paginate`` reads them), the active
    filters, and the breadcrumbs ending at the list."""
    paging = paginate(request, filterset.qs, related=related, prefetch=prefetch)
    active = active_filters(request, filterset)
    return {
        "filterset": filterset,
        "paging": paging,
        "active_filters": active,
        "suggestions": suggestions(request, filterset, active) if active and not paging.page.paginator.count else [],
        "breadcrumbs": [(title, "")],
    }


class PlainChoices(list, BaseChoiceIterator):
    """Choices that are plain (value, label) pairs already: a list that Django's forms (and
    django-filter's fields) iterate as it is. Any other iterable they normalise again, pair by
    pair, each time they iterate it: the 380 powiats of a list's filter, twice a request."""


def cached_choices(name: str, compute) -> PlainChoices:
    """A filter's choices, read once per data generation and language (core.cache)."""
    return PlainChoices(cached(f"choices:{name}:{translation.get_language()}", lambda: list(compute())))
