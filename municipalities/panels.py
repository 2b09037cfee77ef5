"""Sections other apps add to a community's page, without municipalities importing them (as consultations.panels):
visits adds the events targeted at the community. A function takes the request and the community and returns HTML
rendered from a template, or ""."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

_community: list[Callable] = []


def register_community(function: Callable) -> None:
    if function not in _community:
        _community.append(function)


def render_community(request, community) -> list[SafeString]:
    sections = []
    for function in _community:
        html = function(request, community)
        if html:
            sections.append(mark_safe(html))  # noqa: S308 - rendered from a template by the registering app
    return sections
