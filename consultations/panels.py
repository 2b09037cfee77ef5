"""Sections other apps add to the request pages, without consultations importing them.

A feature that reads consultations (the knowledge library: similar past cases, "publish as a case") registers a
function for a place in its `AppConfig.ready`; the page renders what the functions return, in registration order.
Each function takes the request and the consultation (None on the new-request form) and returns HTML (rendered
from a template, so escaped) or "" to add nothing. Places: "form", "filed" (the page after filing), "detail", "route".
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

PLACES = ("form", "filed", "detail", "route")
_registry: dict[str, list[Callable]] = {place: [] for place in PLACES}


def register(place: str, function: Callable) -> None:
    if place not in _registry:
        raise ValueError(f"unknown place {place!r}")
    if function not in _registry[place]:
        _registry[place].append(function)


def render(place: str, request, consultation=None) -> list[SafeString]:
    sections = []
    for function in _registry[place]:
        html = function(request, consultation)
        if html:
            sections.append(mark_safe(html))  # noqa: S308 - rendered from a template by the registering app
    return sections
