"""Reads of consultations, always through the user's scope (accounts.scope) and the confidentiality rule."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import scope
from accounts.enums import Role
from consultations.enums import WORKLOAD_STATUSES, MessageKind, Status
from consultations.models import Attachment, Consultation, Event, Message, Routing
from consultations.permissions import can_see_internal, sees_internal
from specialists.models import Specialist


def visible_filter(user) -> Q:
    """Q of the consultations this user may see. permissions.can_view is the same rule for one object."""
    not_draft = ~Q(status=Status.DRAFT)
    own_drafts = Q(status=Status.DRAFT, requester_id=user.pk) if scope.is_signed_in(user) else Q(pk__in=[])
    if not scope.is_signed_in(user):
        return Q(pk__in=[])
    if scope.is_site_admin(user):
        return not_draft | own_drafts
    programme_q = scope.scope_filter(user, programme="programme")
    if user.role in (Role.MUNICIPAL, Role.PREFECTURE):
        own_organisation = Q(organisation_id=user.organisation_id) & (not_draft | own_drafts)
        if user.role == Role.MUNICIPAL:
            return programme_q & own_organisation
        return programme_q & (own_organisation | (not_draft & Q(confidential=False)))
    if user.role == Role.SPECIALIST:
        return programme_q & not_draft & (Q(confidential=False) | Q(specialist__user_id=user.pk))
    return programme_q & not_draft  # the support centre


def consultations_visible_to(user) -> QuerySet[Consultation]:
    return Consultation.objects.filter(visible_filter(user))


def _listing(queryset: QuerySet[Consultation]) -> QuerySet[Consultation]:
    return queryset.select_related("organisation", "requester", "specialist__user")


def inbox_for(user) -> QuerySet[Consultation]:
    """Unrouted requests, oldest first: what the centre must route."""
    return _listing(consultations_visible_to(user).filter(status=Status.SUBMITTED)).order_by("submitted_at", "id")


def queue_for(user) -> QuerySet[Consultation]:
    """Everything submitted that the user may see (specialists and the centre), filtered by the FilterSet."""
    return _listing(consultations_visible_to(user).exclude(status=Status.DRAFT))


def organisation_requests_for(user) -> QuerySet[Consultation]:
    """The requesting side's own list: their organisation's requests and their own drafts."""
    return _listing(consultations_visible_to(user).filter(organisation_id=user.organisation_id)).order_by("-created_at")


def specialist_workloads(programme, *, day=None) -> list[Specialist]:
    """Active specialists of the programme with their open workload, in one query."""
    return list(
        Specialist.objects.filter(user__programme=programme, user__is_active=True)
        .active_on(day or timezone.localdate())
        .select_related("user")
        .annotate(open_count=Count("consultations", filter=Q(consultations__status__in=list(WORKLOAD_STATUSES))))
        .order_by("domain", "user__full_name")
    )


def routed_history(programme, *, limit: int = 2000) -> list[tuple[str, str]]:
    """(text, domain) of the programme's latest routed requests: what the classifier learns from."""
    rows = (
        Routing.objects.filter(consultation__programme=programme, is_current=True)
        .order_by("-routed_at")
        .values_list("consultation__title", "consultation__description", "domain")[:limit]
    )
    return [(f"{title}\n{description}", domain) for title, description, domain in rows]


def consultation_for_detail(user, pk: int) -> Consultation:
    """The consultation with its thread, files, routings and history, filtered for this user. Raises DoesNotExist."""
    messages = Message.objects.select_related("author").prefetch_related("attachments")
    events = Event.objects.select_related("actor")
    if not sees_internal(user):
        messages = messages.filter(kind=MessageKind.REPLY)
        events = events.filter(internal=False)
    return (
        consultations_visible_to(user)
        .select_related("organisation", "requester", "specialist__user", "programme")
        .prefetch_related(
            Prefetch("messages", queryset=messages, to_attr="visible_messages"),
            Prefetch("events", queryset=events, to_attr="visible_events"),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(message__isnull=True),
                to_attr="request_attachments",
            ),
            Prefetch(
                "routings",
                queryset=Routing.objects.select_related("specialist__user", "routed_by"),
                to_attr="all_routings",
            ),
        )
        .get(pk=pk)
    )


def attachment_visible_to(user, pk: int) -> Attachment:
    """An attachment the user may download: its request is visible, and a note's file only to internal readers."""
    attachment = Attachment.objects.select_related("consultation__specialist", "message").get(
        pk=pk, consultation__in=consultations_visible_to(user)
    )
    if attachment.message_id and attachment.message.is_internal and not can_see_internal(user, attachment.consultation):
        raise Attachment.DoesNotExist
    return attachment
