from django import template
from django.forms import BaseForm

from dxshare import forms

register = template.Library()


@register.filter
def error_links(form) -> list[tuple[str, str, str]]:
    """The errors of any form as (anchor, label, message), for the summary at the top of the page."""
    return forms.error_links(form) if form is not None and form.errors else []


@register.simple_tag(takes_context=True)
def page_has_errors(context) -> bool:
    """Whether a form on the page came back with errors: the page title then starts with 「エラー：」."""
    for value in context.flatten().values():
        form = getattr(value, "form", value)  # a django-filter FilterSet carries its form
        if isinstance(form, BaseForm) and form.is_bound and form.errors:
            return True
    return False
