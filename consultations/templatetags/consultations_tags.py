from django import template
from django.utils import timezone

from consultations import workflow
from dxshare.business_days import business_days_between
from dxshare.fiscal import local_date

register = template.Library()


@register.filter
def business_days_waited(value) -> int:
    """Business days (Japanese holidays and the year-end closure excluded) since a timestamp, in Asia/Tokyo."""
    if value is None:
        return 0
    return business_days_between(local_date(value), timezone.localdate())


@register.filter
def status_badge(status: str) -> str:
    return workflow.badge(status)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
