"""The queue's filters. Every filter is written so that the database can still read the queue's index in order: no
joins (a specialist's domain and "mine" become the specialists' ids), days as ranges of the stored times. The search
box is validated here and applied last by selectors.queue (dxshare.textsearch decides how to read it)."""

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from consultations import workflow
from consultations.enums import Status, Urgency
from consultations.models import Consultation
from dxshare import textsearch
from dxshare.fiscal import fiscal_year_label, fiscal_year_span, start_of_day
from dxshare.forms import SpecificErrorsMixin
from municipalities.models import LocalGovernment
from specialists.enums import Domain
from specialists.models import Specialist

# The sort orders the queue offers, each read from an index (consultations.models.Consultation.Meta.indexes).
ORDERINGS = {
    "newest": ("-submitted_at", "-id"),
    "oldest": ("submitted_at", "id"),
    "changed": ("-updated_at", "-id"),
    "unchanged": ("updated_at", "id"),
}
DEFAULT_ORDERING = "newest"


def validate_search(value: str) -> None:
    if value.strip() and not textsearch.terms(value):
        raise ValidationError(
            _("Search with words of at least %(count)s characters.") % {"count": textsearch.MIN_TERM_LENGTH},
            code="too_short",
        )


class FilterForm(SpecificErrorsMixin, forms.Form):
    show_required_marks = False  # every filter is optional: no 任意 on each

    def applied(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in force, in words, for the line above the list: what 絞り込む did."""
        if not self.is_bound or not self.is_valid():
            return []
        found = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, "", False) or name == "ordering":
                continue
            if value is True:
                found.append((str(field.label), str(_("Yes"))))
            elif isinstance(value, dt.date):
                found.append((str(field.label), date_format(value, "DATE_FORMAT")))
            elif getattr(field, "choices", None):
                found.append((str(field.label), str(dict(field.choices).get(value, value))))
            else:
                found.append((str(field.label), str(value)))
        return found


class ConsultationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="keep", validators=[validate_search], max_length=200)
    mine = django_filters.BooleanFilter(
        label=_("Only requests assigned to me"), method="assigned_to_me", widget=forms.CheckboxInput
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(status, Status(status).label) for status in workflow.SUBMITTED_STATUSES],
        empty_label=_("All"),
    )
    organisation = django_filters.ChoiceFilter(
        label=_("Municipality"), field_name="organisation_id", empty_label=_("All")
    )
    domain = django_filters.ChoiceFilter(
        label=_("Domain"), choices=Domain.choices, method="in_domain", empty_label=_("All")
    )
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Urgency.choices, empty_label=_("All"))
    fiscal_year = django_filters.ChoiceFilter(
        label=_("Fiscal year"), method="in_fiscal_year", empty_label=_("All fiscal years")
    )
    submitted_from = django_filters.DateFilter(
        label=_("Submitted on or after"), method="submitted_on_or_after", widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = django_filters.DateFilter(
        label=_("Submitted on or before"),
        method="submitted_on_or_before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="keep",  # the order is the pager's (keyset_ordering), not a filter
        empty_label=None,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("changed", _("Recently changed first")),
            ("unchanged", _("Longest unchanged first")),
        ],
    )

    class Meta:
        model = Consultation
        fields = []
        form = FilterForm

    def __init__(self, *args, programme=None, fiscal_years=(), user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.programme = programme
        organisations = LocalGovernment.objects.none()
        if programme is not None:
            organisations = LocalGovernment.objects.filter(
                Q(membership__programme=programme) | Q(pk=programme.prefecture_id)
            ).order_by("code")
        # The choices as a plain list, read once (a model choice field would open a server-side cursor per render).
        self.filters["organisation"].extra["choices"] = [(lg.pk, lg.display_name) for lg in organisations]
        self.filters["fiscal_year"].extra["choices"] = [(year, fiscal_year_label(year)) for year in fiscal_years]

    def keyset_ordering(self) -> tuple[str, ...]:
        chosen = None
        if self.is_bound:
            self.form.is_valid()
            chosen = self.form.cleaned_data.get("ordering")
        return ORDERINGS.get(chosen or DEFAULT_ORDERING, ORDERINGS[DEFAULT_ORDERING])

    def search_query(self) -> str:
        if self.is_bound and self.form.is_valid():
            return self.form.cleaned_data.get("q") or ""
        return ""

    def keep(self, queryset, name, value):
        return queryset

    # The specialists' ids are read first (a few rows), so that the planner sees plain values it has statistics
    # for, and reads e.g. a specialist's own requests from their index, newest first.
    def assigned_to_me(self, queryset, name, value):
        if value and self.user is not None:
            return queryset.filter(
                specialist_id__in=list(Specialist.objects.filter(user_id=self.user.pk).values_list("pk", flat=True))
            )
        return queryset

    def in_domain(self, queryset, name, value):
        specialists = Specialist.objects.filter(domain=value)
        if self.programme is not None:
            specialists = specialists.filter(user__programme=self.programme)
        return queryset.filter(specialist_id__in=list(specialists.values_list("pk", flat=True)))

    # Days are cut in Asia/Tokyo and compared as a range of the stored UTC times, which the index can read.
    def submitted_on_or_after(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=start_of_day(value))

    def submitted_on_or_before(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=start_of_day(value + dt.timedelta(days=1)))

    def in_fiscal_year(self, queryset, name, value):
        start, end = fiscal_year_span(int(value))
        return queryset.filter(submitted_at__gte=start, submitted_at__lt=end)
