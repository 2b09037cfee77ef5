"""Cells that every consultation list repeats on each of its rows. They are written once here, as Python, because a
template include per cell per row made the rows the dearest part of a list page."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from consultations import workflow
from consultations.enums import Status
from dxshare.business_days import business_days_between
from dxshare.fiscal import local_date

register = template.Library()


@register.filter
def business_days_waited(value) -> int:
    """Business days (Japanese holidays and the year-end closure excluded) since a timestamp, in Asia/Tokyo."""
    if value is None:
        return 0
    return business_days_between(local_date(value), timezone.localdate())


@register.simple_tag
def status_badge(consultation):
    """The status as a badge coloured by consultations.workflow.BADGES."""
    return format_html(
        '<span class="badge badge--{}">{}</span>',
        workflow.badge(consultation.status),
        Status(consultation.status).label,
    )


@register.simple_tag
def title_link(consultation):
    """The subject, linked to the request, with a badge when it is confidential."""
    confidential = (
        format_html(' <span class="badge badge--warning">{}</span>', _("Confidential"))
        if consultation.confidential
        else ""
    )
    url = reverse("consultations:detail", args=[consultation.pk])
    return format_html('<a href="{}">{}</a>{}', url, consultation.title, confidential)


@register.simple_tag
def specialist_name(consultation):
    return consultation.specialist.user.full_name if consultation.specialist_id else mark_safe("—")


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
