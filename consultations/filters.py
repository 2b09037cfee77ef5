import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultations.enums import Status, Urgency
from consultations.models import Consultation
from dxshare.fiscal import fiscal_year_label, fiscal_year_span
from municipalities.models import LocalGovernment
from specialists.enums import Domain


class ConsultationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    mine = django_filters.BooleanFilter(
        label=_("Assigned to me"), method="assigned_to_me", widget=django_filters.widgets.BooleanWidget
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=[c for c in Status.choices if c[0] != "draft"])
    organisation = django_filters.ModelChoiceFilter(label=_("Municipality"), queryset=LocalGovernment.objects.none())
    domain = django_filters.ChoiceFilter(label=_("Domain"), choices=Domain.choices, field_name="specialist__domain")
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=Urgency.choices)
    fiscal_year = django_filters.TypedChoiceFilter(label=_("Fiscal year"), method="in_fiscal_year", coerce=int)
    submitted_from = django_filters.DateFilter(
        label=_("Submitted on or after"),
        field_name="submitted_at__date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
        label=_("Submitted on or before"),
        field_name="submitted_at__date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("submitted_at", "submitted"),
            ("urgency", "urgency"),
            ("status", "status"),
            ("reference", "reference"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "submitted_at": _("Submitted"),
            "urgency": _("Urgency"),
            "status": _("Status"),
            "reference": _("Reference number"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Consultation
        fields = []

    def __init__(self, *args, programme=None, fiscal_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        if programme is not None:
            self.filters["organisation"].queryset = LocalGovernment.objects.filter(
                Q(membership__programme=programme) | Q(pk=programme.prefecture_id)
            ).order_by("code")
        self.filters["fiscal_year"].extra["choices"] = [(year, fiscal_year_label(year)) for year in fiscal_years]

    def assigned_to_me(self, queryset, name, value):
        if value and self.request is not None:
            return queryset.filter(specialist__user=self.request.user)
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(reference__iexact=value)
            | Q(organisation__name__icontains=value)
        )

    def in_fiscal_year(self, queryset, name, value):
        start, end = fiscal_year_span(value)
        return queryset.filter(submitted_at__gte=start, submitted_at__lt=end)
