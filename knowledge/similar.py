"""The published cases most like a request, for the municipality filing it and the coordinator routing it.

A request and a case are alike when they share rare content bigrams (knowledge.text): each bigram the request holds
weighs its inverse document frequency, log(1 + items / items holding it), read from `Gram`; a bigram in the
request's subject counts twice. A case scores the weights of the bigrams it shares with the request, divided by the
fourth root of its number of bigrams (a long case shares more by chance), plus a little when it is of the domain the
request was routed to or suggested for.

On PostgreSQL the request's most telling bigrams (at most QUERY_GRAMS of them) pick the candidates through the GIN
index on the cases' signatures and the database scores them; SQLite scores the visible cases in Python. The result
is cached per request text and library generation (knowledge.services.library_generation).
"""

import hashlib
import math

from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import connections
from django.db.models import Case, F, FloatField, Func, Q, TextField, Value, When
from django.db.models.functions import Cast, Power

from dxshare import textsearch
from knowledge import selectors, services, text
from knowledge.enums import Kind
from knowledge.models import Gram, Item

LIMIT = 5
QUERY_GRAMS = 24
TELLING = 8  # the rarest of them pick the candidates ...
RARE = math.log(1 + 20)  # ... if each is in at most one item in twenty (a common bigram would pick half the library)
CANDIDATES = 500
DOMAIN_BONUS = 0.15  # of the best possible score
CACHE_SECONDS = 3600


class Bigrams(Func):
    function = "string_to_array"
    template = "string_to_array(%(expressions)s, ' ')"
    output_field = ArrayField(TextField())


class Weights(dict):
    """gram → weight (its idf, doubled for the subject's bigrams); `idf` keeps each bigram's rarity alone."""

    idf: dict[str, float]


def _weights(subject: str, body: str) -> Weights:
    subject_grams = text.content_bigrams(textsearch.normalise(subject))
    body_grams = text.content_bigrams(textsearch.normalise(body))
    wanted: dict[str, float] = {}
    for gram in body_grams:
        wanted[gram] = 1.0
    for gram in subject_grams:
        wanted[gram] = 2.0
    if not wanted:
        return Weights()
    known = dict(Gram.objects.filter(gram__in=[*wanted, ""]).values_list("gram", "items"))
    total = known.pop("", 0)
    idf = {gram: math.log(1 + total / known[gram]) for gram in wanted if known.get(gram)}
    best = sorted(idf, key=lambda gram: -wanted[gram] * idf[gram])[:QUERY_GRAMS]
    weights = Weights({gram: wanted[gram] * idf[gram] for gram in best})
    weights.idf = {gram: idf[gram] for gram in best}
    return weights


def _telling(weights: dict[str, float]) -> list[str]:
    """The bigrams that pick the candidates: the request's rarest (at most TELLING, each rare; at least two)."""
    best = sorted(weights, key=lambda gram: -weights[gram])
    rarity = getattr(weights, "idf", weights)
    rare = [gram for gram in best if rarity[gram] >= RARE][:TELLING]
    return rare if len(rare) >= 2 else best[:2]


def _score_in_python(cases, weights: dict[str, float], domain: str) -> list[tuple[float, int]]:
    bonus = DOMAIN_BONUS * sum(weights.values())
    scored = []
    telling = set(_telling(weights))
    for pk, signature, case_domain in cases:
        grams = signature.split()
        if telling.isdisjoint(grams):  # as the database picks its candidates
            continue
        shared = sum(weights.get(gram, 0.0) for gram in grams)
        if shared <= 0:
            continue
        score = shared / (len(grams) ** 0.25) + (bonus if domain and case_domain == domain else 0.0)
        scored.append((score, pk))
    scored.sort(key=lambda pair: (-pair[0], -pair[1]))
    return scored[:LIMIT]


def _score_in_database(cases, weights: dict[str, float], domain: str) -> list[tuple[float, int]]:
    bonus = DOMAIN_BONUS * sum(weights.values())
    shared = Value(0.0, output_field=FloatField())
    for gram, weight in weights.items():
        shared = shared + Case(
            When(Q(_grams__contains=[gram]), then=Value(weight)), default=Value(0.0), output_field=FloatField()
        )
    length = Func(F("_grams"), Value(1), function="array_length", output_field=FloatField())
    score = shared / Power(Cast(length, FloatField()), Value(0.25))
    if domain:
        score = score + Case(When(domain=domain, then=Value(bonus)), default=Value(0.0), output_field=FloatField())
    # Bounded work: the newest CANDIDATES cases sharing one of the request's most telling bigrams are scored.
    telling = _telling(weights)
    newest = (
        cases.alias(_grams=Bigrams(F("signature")))
        .filter(_grams__overlap=telling)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    rows = (
        Item.objects.filter(pk__in=list(newest))
        .alias(_grams=Bigrams(F("signature")))
        .annotate(similarity=score)
        .order_by("-similarity", "-id")
        .values_list("similarity", "pk")[:LIMIT]
    )
    return list(rows)


def similar_cases(user, *, subject: str, body: str, domain: str = "", exclude_consultation=None) -> list[Item]:
    """The LIMIT published cases the user may read that are most like this text, best first."""
    key_text = f"{user.programme_id}|{domain}|{exclude_consultation}|{subject}|{body}"
    digest = hashlib.sha256(key_text.encode()).hexdigest()[:32]
    key = f"knowledge:similar:{services.library_generation()}:{digest}"
    ids = cache.get(key)
    if ids is None:
        ids = _similar_ids(user, subject=subject, body=body, domain=domain, exclude_consultation=exclude_consultation)
        cache.set(key, ids, CACHE_SECONDS)
    if not ids:
        return []
    found = {
        item.pk: item for item in selectors.items_visible_to(user).filter(pk__in=ids).select_related("municipality")
    }
    return [found[pk] for pk in ids if pk in found]


def _similar_ids(user, *, subject, body, domain, exclude_consultation) -> list[int]:
    weights = _weights(subject, body[:4000])
    if not weights:
        return []
    cases = selectors.items_visible_to(user).filter(kind=Kind.CASE)
    if exclude_consultation is not None:
        cases = cases.exclude(consultation_id=exclude_consultation)
    if connections[cases.db].vendor == "postgresql":
        scored = _score_in_database(cases, weights, domain)
    else:
        scored = _score_in_python(cases.values_list("pk", "signature", "domain"), weights, domain)
    return [pk for _score, pk in scored]
