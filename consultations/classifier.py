"""Suggest which of the five DX specialist domains a consultation request belongs to, and say why.

Three kinds of evidence are added up per domain; the domain with the highest total is suggested:

* keyword   -- curated words per domain (``data/domain_keywords.json``, weight 1..3) found in the text;
* history   -- a multinomial naive Bayes over character n-grams, trained on the programme's routed requests
  (what the support centre actually decided), turned into 0..HISTORY_POINTS per domain;
* requester -- a small bonus for the domain the requester chose: a tie-breaker, and the fallback when
  nothing else points anywhere.

Japanese has no spaces, so there is no tokeniser: keywords are matched as substrings and history uses
character n-grams, both on ``normalise()``d text. Everything returned is data (domain codes, keywords,
counts, points); user-facing wording belongs in the templates. Pure Python, no Django models.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from specialists.enums import Domain

DOMAINS: tuple[str, ...] = tuple(Domain.values)
KEYWORDS_FILE = Path(__file__).resolve().parent / "data" / "domain_keywords.json"

HISTORY_POINTS = 3.0  # what a certain history verdict is worth: more than one weak keyword, less than two strong ones
HISTORY_MIN_ITEMS = 5  # below this the history is too thin to say anything
HISTORY_WEIGHT = 10.0  # a text counts as this many independent n-grams; see _NaiveBayes.posterior
NGRAM_SIZES = (2,)  # character bigrams (adding trigrams made the leave-one-out fit on the history worse)
REQUESTER_POINTS = 0.5
CONFIDENT_MARGIN = 2.0  # the winner must lead the runner-up by this many points to be "confident"


@dataclass(frozen=True)
class Reason:
    kind: str  # "keyword" | "history" | "requester"
    label: str  # the keyword found | the number of routed history items of that domain | the requester's domain code
    points: float


@dataclass(frozen=True)
class Suggestion:
    domain: str | None  # best domain, or None if no evidence at all and no requester choice
    source: str  # "keywords" | "history" | "requester" | "none": what decided it
    scores: dict[str, float]  # every domain's total (all five keys, rounded to 2 decimals)
    reasons: dict[str, list[Reason]]  # per domain (all five keys), the evidence, strongest first
    confident: bool  # the winner leads the runner-up by at least CONFIDENT_MARGIN points


def normalise(text: str) -> str:
    """NFKC (full-width Latin and digits to half-width, half-width katakana to full-width), Latin lower-cased."""
    return unicodedata.normalize("NFKC", text or "").lower()


@cache
def _read_keywords() -> dict[str, dict[str, int]]:
    with KEYWORDS_FILE.open(encoding="utf-8") as f:
        return json.load(f)


def load_keywords() -> dict[str, dict[str, int]]:
    """The curated keywords, {domain: {keyword: weight}}. The file is read once; each call returns a fresh copy."""
    return {domain: dict(words) for domain, words in _read_keywords().items()}


def _keyword_pattern(word: str) -> re.Pattern[str]:
    """A normalised keyword as a regex. Latin ends must not touch other Latin letters ("ui" is not in "build")."""
    head = "(?<![a-z])" if word[0].isascii() and word[0].isalpha() else ""
    tail = "(?![a-z])" if word[-1].isascii() and word[-1].isalpha() else ""
    return re.compile(head + re.escape(word) + tail)


def _ngrams(text: str) -> Counter[str]:
    """Character n-grams of normalised text; n-grams spanning whitespace are dropped."""
    grams: Counter[str] = Counter()
    for chunk in text.split():
        for n in NGRAM_SIZES:
            grams.update(chunk[i : i + n] for i in range(len(chunk) - n + 1))
    return grams


class _NaiveBayes:
    """Multinomial naive Bayes with Laplace (add-one) smoothing over character n-grams."""

    def __init__(self, docs: list[tuple[Counter[str], str]]):
        self.counts = Counter(domain for _, domain in docs)
        grams = {d: Counter() for d in DOMAINS}
        for doc, domain in docs:
            grams[domain].update(doc)
        vocabulary = set().union(*grams.values())
        self.vocabulary = vocabulary
        size = len(vocabulary)
        total = sum(self.counts.values())
        self.log_prior = {d: math.log((self.counts[d] + 1) / (total + len(DOMAINS))) for d in DOMAINS}
        self.log_unseen = {}
        self.log_likelihood = {}
        for d in DOMAINS:
            denominator = sum(grams[d].values()) + size
            self.log_unseen[d] = math.log(1 / denominator)
            self.log_likelihood[d] = {g: math.log((c + 1) / denominator) for g, c in grams[d].items()}

    def posterior(self, grams: Counter[str]) -> dict[str, float] | None:
        """P(domain | text), or None when the text shares no n-gram with the history.

        The n-grams of one text are far from independent, so the plain product of their likelihoods is
        near-certain about almost anything. Instead the log-likelihood is averaged per n-gram and weighted as
        HISTORY_WEIGHT independent n-grams: the verdict no longer depends on the text's length, and it
        sharpens as the history grows and the per-domain n-gram profiles drift apart.
        """
        known = {g: c for g, c in grams.items() if g in self.vocabulary}
        n = sum(known.values())
        if not n:
            return None
        logs = {}
        for d in DOMAINS:
            likelihood, unseen = self.log_likelihood[d], self.log_unseen[d]
            mean = sum(c * likelihood.get(g, unseen) for g, c in known.items()) / n
            logs[d] = self.log_prior[d] + HISTORY_WEIGHT * mean
        top = max(logs.values())
        exps = {d: math.exp(v - top) for d, v in logs.items()}
        total = sum(exps.values())
        return {d: e / total for d, e in exps.items()}


class DomainClassifier:
    """Keywords plus what the programme's routing history teaches; built once per batch, then ``suggest()``."""

    def __init__(self, keywords: dict[str, dict[str, int]] | None = None, history: Iterable[tuple[str, str]] = ()):
        """keywords default to load_keywords(); history = (text, routed_domain) pairs of the programme's routed
        requests (pairs whose domain is not one of the five are skipped)."""
        keywords = load_keywords() if keywords is None else keywords
        unknown = set(keywords) - set(DOMAINS)
        if unknown:
            raise ValueError(f"unknown domains in keywords: {sorted(unknown)}")
        # Per domain: normalised keyword -> (label as written, weight, pattern); spellings equal after
        # normalisation ("Wi-Fi", "ｗｉ-ｆｉ") are one keyword with the higher weight.
        self._keywords: dict[str, dict[str, tuple[str, float, re.Pattern[str]]]] = {d: {} for d in DOMAINS}
        for domain, words in keywords.items():
            for word, weight in words.items():
                key = normalise(word).strip()
                known = self._keywords[domain].get(key)
                if key and (known is None or weight > known[1]):
                    self._keywords[domain][key] = (word, float(weight), _keyword_pattern(key))
        docs = [(_ngrams(normalise(text)), domain) for text, domain in history if domain in DOMAINS]
        self._bayes = _NaiveBayes(docs) if len(docs) >= HISTORY_MIN_ITEMS else None

    def suggest(self, text: str, requested_domain: str = "") -> Suggestion:
        """The best domain for ``text`` (title and description), with every domain's score and evidence."""
        text = normalise(text)
        requested = requested_domain if requested_domain in DOMAINS else ""
        reasons: dict[str, list[Reason]] = {d: [] for d in DOMAINS}
        keyword = self._keyword_points(text, reasons)
        history = self._history_points(text, reasons)
        if requested:
            reasons[requested].append(Reason("requester", requested, REQUESTER_POINTS))
        totals = {d: keyword[d] + history[d] + (REQUESTER_POINTS if d == requested else 0.0) for d in DOMAINS}
        for evidence in reasons.values():
            evidence.sort(key=lambda r: (-r.points, r.kind, r.label))
        scores = {d: round(totals[d], 2) for d in DOMAINS}

        if not any(keyword.values()) and not any(history.values()):
            source = "requester" if requested else "none"
            return Suggestion(requested or None, source, scores, reasons, confident=False)

        # Highest total; a tie goes to the requester's choice, then to the first domain in Domain order.
        domain = max(DOMAINS, key=lambda d: (totals[d], d == requested))
        if domain == _clear_leader(keyword):
            source = "keywords"
        elif domain == _clear_leader({d: keyword[d] + history[d] for d in DOMAINS}):
            source = "history"  # history overturned the keywords or broke their tie
        elif domain == requested:
            source = "requester"  # keywords and history tied; the requester's bonus tipped it
        else:
            source = "keywords" if keyword[domain] else "history"
        runner_up = max(totals[d] for d in DOMAINS if d != domain)
        return Suggestion(domain, source, scores, reasons, confident=totals[domain] - runner_up >= CONFIDENT_MARGIN)

    def _keyword_points(self, text: str, reasons: dict[str, list[Reason]]) -> dict[str, float]:
        """Sum of the weights of the keywords found, each counted once. A keyword whose every occurrence lies
        inside an occurrence of a longer matched keyword of the same domain ("line" in "line公式アカウント")
        does not count: the longer one speaks for it."""
        points = dict.fromkeys(DOMAINS, 0.0)
        for domain, words in self._keywords.items():
            found = {key: [m.span() for m in pattern.finditer(text)] for key, (_, _, pattern) in words.items()}
            found = {key: spans for key, spans in found.items() if spans}
            for key, spans in found.items():
                longer = [span for other, s in found.items() if len(other) > len(key) for span in s]
                if all(any(a <= start and end <= b for a, b in longer) for start, end in spans):
                    continue
                label, weight, _ = words[key]
                points[domain] += weight
                reasons[domain].append(Reason("keyword", label, weight))
        return points

    def _history_points(self, text: str, reasons: dict[str, list[Reason]]) -> dict[str, float]:
        """0..HISTORY_POINTS per domain: HISTORY_POINTS times how far the posterior rises above chance (1/5).
        The label is the number of routed requests of that domain the history holds."""
        points = dict.fromkeys(DOMAINS, 0.0)
        posterior = self._bayes.posterior(_ngrams(text)) if self._bayes else None
        if posterior is None:
            return points
        chance = 1 / len(DOMAINS)
        for domain, p in posterior.items():
            value = round(HISTORY_POINTS * max(0.0, p - chance) / (1 - chance), 2)
            if value > 0:
                points[domain] = value
                reasons[domain].append(Reason("history", str(self._bayes.counts[domain]), value))
        return points


def _clear_leader(points: dict[str, float]) -> str | None:
    """The domain with strictly the most points, if it has any."""
    first, second = sorted(DOMAINS, key=points.__getitem__, reverse=True)[:2]
    return first if points[first] > points[second] else None
