"""What the outbox can send, as the features declare it (each in its AppConfig.ready): the kinds of e-mail, their
labels for the preferences page, whether a person may turn them off, and, for reminders, how to write them.

The outbox itself knows no feature: it asks this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One e-mail's text, already in the recipient's language."""

    subject: str
    body: str
    url: str = ""


# What compose returns for a reminder whose kind acted by itself and told people through its own e-mails (a request
# closed automatically): the reminder is done, without a message of its own.
HANDLED = Message(subject="", body="")

# compose(reminders) -> {reminder.pk: Message or None}; None: no longer needed (the visit was cancelled, the request
# answered, the recipient may not see it any more). It runs inside the sweep's transaction, for a batch of reminders
# of its kind, and should read their subjects in a fixed number of queries.
Compose = Callable[[list], dict[int, "Message | None"]]


@dataclass(frozen=True)
class Kind:
    name: str
    label: object  # a lazy translation
    group: object
    can_turn_off: bool = True
    compose: Compose | None = None
    order: int = 100
    roles: frozenset | None = None  # who may receive it (the preferences page shows only theirs); None: anyone


_KINDS: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    for kind in kinds:
        _KINDS[kind.name] = kind


def get(name: str) -> Kind | None:
    return _KINDS.get(name)


def can_turn_off(name: str) -> bool:
    kind = _KINDS.get(name)
    return kind is not None and kind.can_turn_off


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.name))


# Planners: each feature's "plan the reminders of everything open" (manage.py plan_reminders runs them all, e.g. once
# after an upgrade that adds a kind of reminder). Each must be safe to run again: it plans, it never duplicates.
_PLANNERS: list[Callable[[], int]] = []


def register_planner(planner: Callable[[], int]) -> None:
    if planner not in _PLANNERS:
        _PLANNERS.append(planner)


def planners() -> list[Callable[[], int]]:
    return list(_PLANNERS)


# May the recipient still read what these rows are about? visibility(user, rows) -> the pks of the rows that may go;
# one per model ("app_label.model"), asked when a row is sent (at once or in the digest), in a fixed number of queries.
Visibility = Callable[[object, list], set[int]]
_VISIBILITY: dict[str, Visibility] = {}


def register_visibility(model_label: str, check: Visibility) -> None:
    _VISIBILITY[model_label.lower()] = check


def visibility(model_label: str) -> Visibility | None:
    return _VISIBILITY.get(model_label.lower())
