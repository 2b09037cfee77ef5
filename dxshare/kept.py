"""Rendered lists kept in the cache, renewed by a generation number.

A `Generation` is a counter in the shared cache that a feature moves whenever what its kept lists show changes; a
kept list's key holds the number, so moving it retires every list at once without finding them. `kept_html` keeps
one rendered fragment under such a key (the library's results, the partner directory's list)."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe


class Generation:
    def __init__(self, key: str):
        self.key = key

    def current(self) -> int:
        return cache.get_or_set(self.key, 1, timeout=None)

    def bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # gone from the cache (evicted, flushed): start again above the first number
            cache.set(self.key, 2, timeout=None)

    def bump_on_commit(self) -> None:
        transaction.on_commit(self.bump)


def address_key(request) -> str:
    """The page's address (its query string) as a short, fixed-length part of a cache key."""
    return hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:24]


def kept_html(key: str, seconds: int, render: Callable[[], tuple[str, bool]]) -> SafeString:
    """The fragment kept under `key`, or `render()`'s (html, keep), kept for `seconds` if it says so."""
    html = cache.get(key)
    if html is None:
        html, keep = render()
        if keep:
            cache.set(key, str(html), seconds)
    return mark_safe(html)  # noqa: S308 - rendered from a template by the caller's render()
