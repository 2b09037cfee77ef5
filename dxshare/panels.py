"""Sections one app adds to another app's pages without that app importing it (the lower room offers places, the
higher room registers a function for each, in its AppConfig.ready). A function takes the request and the page's
object and returns HTML rendered from a template (so escaped), or "" to add nothing."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe


class Panels:
    def __init__(self, *places: str):
        self._registry: dict[str, list[Callable]] = {place: [] for place in places}

    def register(self, place: str, function: Callable) -> None:
        if place not in self._registry:
            raise ValueError(f"unknown place {place!r}")
        if function not in self._registry[place]:
            self._registry[place].append(function)

    def render(self, place: str, request, obj=None) -> list[SafeString]:
        sections = []
        for function in self._registry[place]:
            html = function(request, obj)
            if html:
                sections.append(mark_safe(html))  # noqa: S308 - rendered from a template by the registering app
        return sections
