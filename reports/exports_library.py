"""The knowledge library as CSV or .xlsx: the items the reader may read, with the library page's filters (and its
search: the ranked matches). An anonymous case's municipality is never written: the column says 「匿名」, exactly as
the pages do (knowledge.anonymity)."""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from knowledge import selectors
from knowledge.enums import Audience, DeliverableType, Kind
from knowledge.forms import SearchForm
from knowledge.models import Item, Tag
from reports.exports import BadFilters, Table, _file_name, _labels, local
from specialists.enums import Domain


def _items(user, data) -> QuerySet[Item]:
    form = SearchForm(data if any(data.get(name) for name in SearchForm.base_fields) else None)
    if form.is_bound and not form.is_valid():
        raise BadFilters(form)
    filters = selectors.Filters()
    if form.is_bound:
        filters = selectors.Filters(
            query=form.cleaned_data["q"],
            kind=form.cleaned_data["kind"],
            domain=form.cleaned_data["domain"],
            tag=form.cleaned_data["tag"],
            deliverable_type=form.cleaned_data["deliverable_type"],
        )
    items = selectors._filtered(selectors.items_visible_to(user), filters)
    if filters.query:
        found, _capped = selectors._scored(items, filters.query)
        items = Item.objects.filter(pk__in=[pk for _score, _published, pk in found])
    return items.select_related("municipality", "programme").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("key"))
    )


def _rows(items: QuerySet[Item]) -> Iterator[tuple]:
    kinds, types, domains, audiences = (
        _labels(Kind.choices),
        _labels(DeliverableType.choices),
        _labels(Domain.choices),
        _labels(Audience.choices),
    )
    anonymous = _("Anonymous")
    for item in items.order_by(*selectors.NEWEST).iterator(chunk_size=2000):
        if item.kind == Kind.CASE:
            municipality = item.municipality.display_name if item.names_municipality else anonymous
        else:
            municipality = ""
        yield (
            item.title,
            kinds[item.kind],
            types.get(item.deliverable_type, ""),
            domains[item.domain],
            "、".join(tag.name for tag in item.tags.all()),
            municipality,
            item.programme.display_name,
            local(item.published_at),
            item.version,
            audiences[item.audience] if item.kind == Kind.DELIVERABLE else "",
            settings.SITE_URL + item.get_absolute_url(),
        )


def library_table(user, data) -> Table:
    """Raises BadFilters when the library's filters do not validate."""
    items = _items(user, data)
    return Table(
        queryset=items,
        name=_file_name(_("library_%(date)s")),
        header=[
            _("Title"),
            _("Kind"),
            _("Type"),
            _("Domain"),
            _("Tags"),
            _("Municipality"),
            _("Programme"),
            _("Published at"),
            _("Version"),
            _("For"),
            _("Address"),
        ],
        rows=_rows(items),
        widths=(40, 10, 14, 18, 30, 14, 24, 17, 10, 16, 40),
    )
