"""Plain predicates: who may see and do what on a consultation. Mirrors selectors.visible_filter for single objects."""

from accounts import scope
from accounts.enums import Role
from consultations import enums
from consultations.enums import Party, Status


def parties(user, consultation) -> set[str]:
    """The sides this user speaks for on this request."""
    if not scope.is_signed_in(user):
        return set()
    found = set()
    same_programme = user.programme_id == consultation.programme_id
    if (
        same_programme
        and user.role in (Role.MUNICIPAL, Role.PREFECTURE)
        and user.organisation_id == consultation.organisation_id
    ):
        found.add(Party.REQUESTER)
    if consultation.specialist_id and consultation.specialist.user_id == user.pk:
        found.add(Party.ASSIGNEE)
    if (scope.is_centre(user) and same_programme) or scope.is_site_admin(user):
        found.add(Party.CENTRE)
    return found


def can_view(user, consultation) -> bool:
    if not scope.is_signed_in(user):
        return False
    if consultation.status == Status.DRAFT:
        return consultation.requester_id == user.pk
    if scope.is_site_admin(user):
        return True
    if user.programme_id != consultation.programme_id:
        return False
    if Party.REQUESTER in parties(user, consultation) or scope.is_centre(user):
        return True
    if user.role == Role.MUNICIPAL:
        return False
    # Prefecture staff and specialists: the programme's requests, except confidential ones not assigned to them.
    return not consultation.confidential or Party.ASSIGNEE in parties(user, consultation)


def sees_internal(user) -> bool:
    """Internal notes and internal history are for the centre and the specialists, never the requesting side."""
    return (
        scope.is_centre(user)
        or scope.is_site_admin(user)
        or (scope.is_signed_in(user) and user.role == Role.SPECIALIST)
    )


def can_see_internal(user, consultation) -> bool:
    return sees_internal(user) and can_view(user, consultation)


def can_transition(user, consultation, to_status: str) -> bool:
    return can_view(user, consultation) and enums.allowed(consultation.status, to_status, parties(user, consultation))


def can_route(user, consultation) -> bool:
    return (
        can_view(user, consultation)
        and Party.CENTRE in parties(user, consultation)
        and consultation.status in (Status.SUBMITTED, Status.ROUTED, Status.IN_PROGRESS, Status.WAITING)
    )


def can_reply(user, consultation) -> bool:
    return (
        can_view(user, consultation)
        and consultation.status != Status.DRAFT
        and bool(parties(user, consultation) & {Party.REQUESTER, Party.ASSIGNEE, Party.CENTRE})
    )


def can_add_note(user, consultation) -> bool:
    return consultation.status != Status.DRAFT and can_see_internal(user, consultation)


def can_edit(user, consultation) -> bool:
    sides = parties(user, consultation)
    if consultation.status in (Status.DRAFT, Status.SUBMITTED) and consultation.requester_id == user.pk:
        return True
    return Party.CENTRE in sides and consultation.is_open


def can_rate(user, consultation) -> bool:
    return consultation.status == Status.ANSWERED and Party.REQUESTER in parties(user, consultation)


def can_file(user) -> bool:
    """Municipal staff file for their municipality, prefecture staff for the prefecture."""
    return scope.is_signed_in(user) and user.role in (Role.MUNICIPAL, Role.PREFECTURE) and user.organisation_id
