"""An item's texts for search and similarity, and the snippets shown beside search results.

- `search_text`: title, tags and every text of the item, normalised (dxshare.textsearch), behind the bigram index.
- `title_text`: title and tags, normalised: a term found there ranks an item higher.
- `signature`: the distinct *content* bigrams of the item (two neighbouring characters that are both kanji, katakana,
  Latin letters or digits, not both digits; hiragana pairs are mostly particles and endings), space-separated, behind a
  GIN index on `string_to_array(signature, ' ')`; similar cases weigh the bigrams they share with a request
  (`knowledge.similar`).
"""

import itertools
import unicodedata
from dataclasses import dataclass

from dxshare import textsearch

SIGNATURE_LIMIT = 200  # bigrams kept per item: its title, tags and summary come first


def _is_content(char: str) -> bool:
    return char.isalnum() and not ("\u3040" <= char <= "\u309f")


def content_bigrams(text: str) -> list[str]:
    """The content bigrams of normalised text, in order of first appearance."""
    seen: dict[str, None] = {}
    for first, second in itertools.pairwise(text):
        if _is_content(first) and _is_content(second) and not (first.isdigit() and second.isdigit()):
            seen.setdefault(first + second, None)
    return list(seen)


def signature(*parts: str) -> list[str]:
    grams: dict[str, None] = {}
    for part in parts:
        for gram in content_bigrams(textsearch.normalise(part)):
            grams.setdefault(gram, None)
            if len(grams) >= SIGNATURE_LIMIT:
                return list(grams)
    return list(grams)


@dataclass(frozen=True)
class Piece:
    text: str
    match: bool = False


def _normalised_with_positions(text: str) -> tuple[str, list[int]]:
    """The text normalised character by character (as dxshare.textsearch.normalise, white space kept as one space),
    and for each character of the result the index in `text` it came from."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        if char < "\u00a0" or ("\u3041" <= char <= "\u9fff" and not "\u3099" <= char <= "\u309c"):
            folded = char.lower()  # ASCII, kana and kanji: NFKC leaves them as they are
        else:
            folded = unicodedata.normalize("NFKC", char).casefold()
        mark = folded.strip()
        if mark in ("\u3099", "\u309a") and out:  # a (half-width) voicing mark joins the kana before it
            composed = unicodedata.normalize("NFC", out[-1] + mark)
            if len(composed) == 1:
                out[-1] = composed
                continue
        for piece in folded:
            if piece.isspace():
                piece = " "
            out.append(piece)
            where.append(index)
    joined = "".join(out)
    folded = textsearch.fold_kana(joined)
    if folded == joined:
        return joined, where
    # Folding shortened or changed the text: map again, one character at a time, through the same table.
    chars: list[str] = []
    positions: list[int] = []
    i = 0
    while i < len(joined):
        pair = joined[i : i + 2]
        if pair in textsearch.KANA_VARIANTS:
            replacement = textsearch.KANA_VARIANTS[pair]
            step = 2
        else:
            replacement = textsearch.KANA_VARIANTS.get(joined[i], joined[i])
            step = 1
        for char in replacement:
            chars.append(char)
            positions.append(where[i])
        i += step
    return "".join(chars), positions


def snippet(text: str, query: str, *, width: int = 120) -> list[Piece]:
    """A stretch of `text` around the first match of the query's terms, cut to about `width` characters, with the
    matches marked (the template escapes each piece, so nothing in the text is rendered as HTML)."""
    text = " ".join(text.split())
    wanted = textsearch.terms(query)
    if not text:
        return []
    normalised, positions = _normalised_with_positions(text)
    spans: list[tuple[int, int]] = []
    for term in wanted:
        start = normalised.find(term)
        while start != -1:
            end = start + len(term) - 1
            stop = positions[end] + 1
            while stop < len(text) and text[stop] in "ーｰ":  # the long-vowel mark the folding dropped
                stop += 1
            spans.append((positions[start], stop))
            start = normalised.find(term, start + len(term))
    spans.sort()
    first = spans[0][0] if spans else 0
    begin = max(0, min(first - width // 3, len(text) - width))
    finish = min(len(text), begin + width)
    pieces: list[Piece] = []
    if begin > 0:
        pieces.append(Piece("…"))
    cursor = begin
    for start, end in spans:
        if end <= cursor or start >= finish:
            continue
        start = max(start, cursor)
        end = min(end, finish)
        if start > cursor:
            pieces.append(Piece(text[cursor:start]))
        pieces.append(Piece(text[start:end], match=True))
        cursor = end
    if cursor < finish:
        pieces.append(Piece(text[cursor:finish]))
    if finish < len(text):
        pieces.append(Piece("…"))
    return pieces
