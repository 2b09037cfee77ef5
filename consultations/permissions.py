"""Who may see and do what on a consultation.

`visible_filter(user)` is the one rule of who sees which consultation, written once as a queryset filter on top of
accounts.scope; `can_view(user, consultation)` asks the database the same question for one object. The other
predicates combine that with the parties a person speaks for and with the workflow (consultations.workflow).

| who               | sees                                                                                |
|-------------------|-------------------------------------------------------------------------------------|
| municipal staff   | their municipality's requests (not colleagues' drafts)                              |
| prefecture staff  | the prefecture's own requests, and the programme's non-confidential ones            |
| specialists       | the programme's non-confidential requests, and confidential ones routed to them     |
| the centre        | every submitted request of the programme                                            |
| site admins       | every submitted request                                                             |
| everyone          | their own drafts, and nobody else's                                                 |
"""

from django.db.models import Q

from accounts import scope
from consultations import workflow
from consultations.enums import Status
from consultations.models import Consultation
from consultations.workflow import Party
from specialists.models import Specialist

NOTHING = Q(pk__in=[])


def visible_filter(user) -> Q:
    """Q of the consultations this user may see."""
    if not scope.is_signed_in(user):
        return NOTHING
    submitted = ~Q(status=Status.DRAFT)
    own_draft = Q(status=Status.DRAFT, requester_id=user.pk)
    programme = scope.scope_filter(user, programme="programme")
    if programme is None:  # site administrators: every programme
        return submitted | own_draft
    if scope.is_organisation_staff(user):
        own_organisation = Q(organisation_id=user.organisation_id) & (submitted | own_draft)
        if scope.is_municipal(user):
            return programme & own_organisation
        return programme & (own_organisation | (submitted & Q(confidential=False)))
    if scope.is_specialist(user):
        assigned_to_me = Q(specialist_id__in=Specialist.objects.filter(user_id=user.pk).values("pk"))
        return programme & submitted & (Q(confidential=False) | assigned_to_me)
    if scope.is_centre(user):
        return programme & submitted
    return NOTHING


def mark_visible(consultation: Consultation, user) -> Consultation:
    """Remember that `consultation` was read through visible_filter(user), so can_view needs no second query."""
    consultation.__dict__.setdefault("_visible_to", {})[user.pk] = True
    return consultation


def can_view(user, consultation: Consultation) -> bool:
    """visible_filter for one object (one query per person and object, remembered on the instance)."""
    if not scope.is_signed_in(user) or consultation.pk is None:
        return False
    known = consultation.__dict__.setdefault("_visible_to", {})
    if user.pk not in known:
        known[user.pk] = Consultation.objects.filter(visible_filter(user), pk=consultation.pk).exists()
    return known[user.pk]


def parties(user, consultation: Consultation) -> set[str]:
    """The sides this user speaks for on this request (consultations.workflow.Party)."""
    if not scope.is_signed_in(user):
        return set()
    found = set()
    same_programme = user.programme_id == consultation.programme_id
    if scope.is_organisation_staff(user) and same_programme and user.organisation_id == consultation.organisation_id:
        found.add(Party.REQUESTER)
    if consultation.specialist_id and consultation.specialist.user_id == user.pk:
        found.add(Party.ASSIGNEE)
    if (scope.is_centre(user) and same_programme) or scope.is_site_admin(user):
        found.add(Party.CENTRE)
    return found


def sees_internal(user) -> bool:
    """Internal notes and internal history are for the centre and the specialists, never the requesting side."""
    return scope.is_centre(user) or scope.is_site_admin(user) or scope.is_specialist(user)


def can_see_internal(user, consultation) -> bool:
    return sees_internal(user) and can_view(user, consultation)


def can_transition(user, consultation, to_status: str) -> bool:
    return can_view(user, consultation) and workflow.allowed(
        consultation.status, to_status, parties(user, consultation)
    )


def can_route(user, consultation) -> bool:
    return (
        consultation.status in workflow.ROUTABLE_STATUSES
        and can_view(user, consultation)
        and Party.CENTRE in parties(user, consultation)
    )


def can_hand_back(user, consultation) -> bool:
    return can_view(user, consultation) and workflow.may_hand_back(consultation.status, parties(user, consultation))


def can_reply(user, consultation) -> bool:
    return (
        not consultation.is_draft
        and can_view(user, consultation)
        and bool(parties(user, consultation) & workflow.CONVERSING)
    )


def can_add_note(user, consultation) -> bool:
    return not consultation.is_draft and can_see_internal(user, consultation)


def can_edit(user, consultation) -> bool:
    if not can_view(user, consultation):
        return False
    if consultation.status in workflow.REQUESTER_EDITABLE_STATUSES and consultation.requester_id == user.pk:
        return True
    return consultation.status in workflow.CENTRE_EDITABLE_STATUSES and Party.CENTRE in parties(user, consultation)


def can_rate(user, consultation) -> bool:
    return can_view(user, consultation) and workflow.may_accept(consultation.status, parties(user, consultation))


def can_file(user) -> bool:
    """Municipal staff file for their municipality, prefecture staff for the prefecture."""
    return scope.is_organisation_staff(user) and user.programme_id is not None
