"""What a case must not say when its municipality has not agreed to be named.

A case written from a request keeps its municipality for the programme's own records, but unless the municipality
agreed (`Naming.AGREED`) no page, search snippet, file name or export may say where it came from. Pages never print
the municipality of such a case; this module refuses texts that name it themselves: the municipality's name (with
and without 市/町/村/区), its English name, its code, the request's reference number and the requester's full name,
compared after normalisation (full-/half-width, case, katakana variants).
"""

from django.utils.translation import gettext as _

from dxshare import textsearch

SUFFIXES = ("市", "町", "村", "区")


def identifying_words(*, municipality, consultation=None) -> list[tuple[str, str]]:
    """(as written, normalised) for each word that would identify the case's municipality."""
    words = [municipality.name, municipality.name_en, municipality.code, municipality.code[:5]]
    if municipality.name.endswith(SUFFIXES) and len(municipality.name) >= 3:
        words.append(municipality.name[:-1])
    if municipality.name_en:
        words.append(municipality.name_en.split(" ")[0])
    if consultation is not None:
        name = consultation.requester.full_name
        words += [consultation.reference, name, "".join(name.split())]
    found: dict[str, str] = {}
    for word in words:
        key = textsearch.normalise(word or "")
        if len(key) >= 2 and key not in found:
            found[key] = word
    return [(word, key) for key, word in found.items()]


def naming_errors(texts: dict[str, str], *, municipality, consultation=None) -> dict[str, str]:
    """{field: message} for each text that names the municipality (or the request) of an anonymous case."""
    words = identifying_words(municipality=municipality, consultation=consultation)
    errors = {}
    for field, text in texts.items():
        normalised = textsearch.normalise(text)
        for word, key in words:
            if key in normalised:
                errors[field] = _(
                    "This case is anonymous, but the text says “%(word)s”, which tells where it came from. "
                    "Remove it, or ask the municipality to agree to be named."
                ) % {"word": word}
                break
    return errors
