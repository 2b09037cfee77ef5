"""Reads of consultations, always through the one visibility rule (permissions.visible_filter).

Lists come a page at a time through keyset paging (dxshare.paging): each reads an index in its sort order from the
cursor on and counts only up to a cap, so their cost does not grow with the programme's history.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scope
from consultations import workflow
from consultations.enums import EventKind, MessageKind, Status
from consultations.filters import ConsultationFilter
from consultations.models import Attachment, Consultation, Event, Message, Routing, Watcher
from consultations.permissions import can_see_internal, mark_visible, sees_internal, visible_filter
from dxshare import textsearch
from dxshare.business_days import waited_since
from dxshare.fiscal import start_of_day
from dxshare.paging import KeysetPage, paginate
from municipalities.selectors import reminder_policy_for
from specialists.models import Specialist

PAGE_SIZE = 25
COUNT_CAP = 1000
INBOX_ORDER = ("submitted_at", "id")  # oldest first: the longest wait on top
OWN_LIST_ORDER = ("-created_at", "-id")  # drafts have no submission time yet


def consultations_visible_to(user) -> QuerySet[Consultation]:
    return Consultation.objects.filter(visible_filter(user))


def consultation_visible_to(user, pk, *, related=("specialist__user",)) -> Consultation:
    """One consultation the user may see (raises Consultation.DoesNotExist otherwise)."""
    consultation = consultations_visible_to(user).select_related(*related).get(pk=pk)
    return mark_visible(consultation, user)


# What a list row shows, and the sort keys: the wide columns (description, search text) stay in the database.
LIST_COLUMNS = (
    "id",
    "programme_id",
    "reference",
    "title",
    "confidential",
    "status",
    "urgency",
    "suggested_domain",
    "last_reply_by",
    "requester_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "organisation",
    "organisation__name",
    "organisation__name_en",
    "specialist",
    "specialist__user",
    "specialist__user__full_name",
)


def _listing(queryset: QuerySet[Consultation], *, with_requester: bool = False) -> QuerySet[Consultation]:
    related = ["organisation", "specialist__user"]
    columns = list(LIST_COLUMNS)
    if with_requester:
        related.append("requester")
        columns += ["requester", "requester__full_name"]
    return queryset.select_related(*related).only(*columns)


def inbox_page(user, *, cursor: str | None = None) -> KeysetPage:
    """Requests waiting to be routed, oldest first, each marked if its specialist handed it back."""
    handed_back = Exists(Routing.objects.filter(consultation=OuterRef("pk"), handed_back_at__isnull=False))
    queryset = _listing(consultations_visible_to(user).filter(status=workflow.INBOX_STATUS)).annotate(
        was_handed_back=handed_back
    )
    return paginate(queryset, INBOX_ORDER, cursor, per_page=PAGE_SIZE, count_cap=COUNT_CAP)


@dataclass
class Queue:
    filter: ConsultationFilter
    page: KeysetPage


def queue(user, *, data, cursor: str | None = None, programme=None, fiscal_years=()) -> Queue:
    """Everything submitted that the user may see (specialists, the centre, prefecture staff), filtered and sorted."""
    filterset = ConsultationFilter(
        data or None,
        queryset=_listing(consultations_visible_to(user).exclude(status=Status.DRAFT)),
        programme=programme,
        fiscal_years=fiscal_years,
        user=user,
    )
    ordering = filterset.keyset_ordering()
    found = textsearch.search(filterset.qs, filterset.search_query(), cap=COUNT_CAP, order=ordering)
    count = True if found.count is None else (found.count, found.capped)
    page = paginate(found.queryset, ordering, cursor, per_page=PAGE_SIZE, count_cap=COUNT_CAP, count=count)
    return Queue(filter=filterset, page=page)


def organisation_requests_page(user, *, cursor: str | None = None, status: str = "") -> KeysetPage:
    """The requesting side's own list: their organisation's requests and their own drafts, newest first; `status`
    (one of Status, else ignored) narrows it, e.g. to the requests waiting for their reply."""
    queryset = _listing(
        consultations_visible_to(user).filter(organisation_id=user.organisation_id), with_requester=True
    )
    if status in Status.values:
        queryset = queryset.filter(status=status)
    return paginate(queryset, OWN_LIST_ORDER, cursor, per_page=PAGE_SIZE, count_cap=COUNT_CAP)


# --- What waits for each person (the home page) --------------------------------------------------------------------

TODO_ROWS = 5


@dataclass
class TodoList:
    """One list on a person's home page: what waits for them, at most TODO_ROWS rows and a link to the rest."""

    key: str
    title: str
    rows: list[Consultation]
    more: bool
    url: str
    empty: str

    @property
    def waiting(self) -> bool:
        return bool(self.rows)


def _todo(key, title, queryset, order, url, empty) -> TodoList:
    rows = list(queryset.order_by(*order)[: TODO_ROWS + 1])
    return TodoList(key, title, rows[:TODO_ROWS], len(rows) > TODO_ROWS, url, empty)


def todo_for(user, *, today=None) -> list[TodoList]:
    """What waits for this person, in the order they should look at it: one query per list, each reading at most
    TODO_ROWS + 1 rows from an index, so the home page costs the same whatever the programme's size."""
    visible = _listing(consultations_visible_to(user))
    lists: list[TodoList] = []
    own_list = reverse("consultations:list")
    if scope.is_organisation_staff(user) and user.organisation_id:
        mine = visible.filter(organisation_id=user.organisation_id)
        lists += [
            _todo(
                "reply",
                _("Waiting for your reply"),
                mine.filter(status=Status.WAITING),
                ("updated_at", "id"),
                f"{own_list}?status={Status.WAITING}",
                _("No specialist is waiting for information from you."),
            ),
            _todo(
                "accept",
                _("Answers to check"),
                mine.filter(status=Status.ANSWERED),
                ("updated_at", "id"),
                f"{own_list}?status={Status.ANSWERED}",
                _("No answer waits for you to check."),
            ),
            _todo(
                "drafts",
                _("Your drafts"),
                mine.filter(status=Status.DRAFT, requester_id=user.pk),
                ("-created_at", "-id"),
                f"{own_list}?status={Status.DRAFT}",
                _("No unsubmitted draft."),
            ),
        ]
    if scope.is_specialist(user):
        assigned = visible.filter(specialist__in=Specialist.objects.filter(user_id=user.pk).values("pk"))
        lists += [
            _todo(
                "new",
                _("Newly routed to you"),
                assigned.filter(status=Status.ROUTED),
                ("submitted_at", "id"),
                f"{own_list}?mine=on&status={Status.ROUTED}&ordering=oldest",
                _("Nothing new is routed to you."),
            ),
            _todo(
                "replied",
                _("The municipality replied"),
                assigned.filter(status=Status.IN_PROGRESS, last_reply_by=workflow.Party.REQUESTER),
                ("updated_at", "id"),
                f"{own_list}?mine=on&status={Status.IN_PROGRESS}&ordering=unchanged",
                _("No municipality's reply waits for you."),
            ),
            _todo(
                "oldest",
                _("Your oldest open requests"),
                assigned.filter(status__in=sorted(workflow.WORKLOAD_STATUSES)),
                ("submitted_at", "id"),
                f"{own_list}?mine=on&ordering=oldest",
                _("You have no open request."),
            ),
        ]
    if scope.is_centre(user) or scope.is_site_admin(user):
        days = reminder_policy_for(user.programme).first_answer_days  # the programme's M (its reminder settings)
        today = today or timezone.localdate()
        cutoff = start_of_day(waited_since(days, today) + dt.timedelta(days=1))
        routed_long_ago = Routing.objects.filter(consultation=OuterRef("pk"), is_current=True, routed_at__lt=cutoff)
        handed_back = Routing.objects.filter(consultation=OuterRef("pk"), handed_back_at__isnull=False)
        inbox = visible.filter(status=workflow.INBOX_STATUS)
        lists += [
            _todo(
                "inbox",
                _("Waiting to be routed"),
                inbox.annotate(was_handed_back=Exists(handed_back)),
                INBOX_ORDER,
                reverse("consultations:inbox"),
                _("Nothing waits to be routed."),
            ),
            _todo(
                "overdue",
                _("No first answer after %(days)s business days") % {"days": days},
                visible.filter(Exists(routed_long_ago), status=Status.ROUTED),
                ("submitted_at", "id"),
                f"{own_list}?status={Status.ROUTED}&ordering=oldest",
                _("Every routed request has had a first answer in time."),
            ),
            _todo(
                "handed_back",
                _("Handed back by a specialist"),
                inbox.filter(Exists(handed_back)),
                INBOX_ORDER,
                reverse("consultations:inbox"),
                _("No request has been handed back."),
            ),
        ]
    return lists


def specialist_workloads(programme, *, day=None) -> list[Specialist]:
    """Active specialists of the programme with their open workload. The count reads only open requests (a partial
    index holds exactly them), so it does not grow with everything each specialist ever handled."""
    open_requests = (
        Consultation.objects.filter(specialist=OuterRef("pk"), status__in=sorted(workflow.WORKLOAD_STATUSES))
        .order_by()
        .values("specialist")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Specialist.objects.filter(user__programme=programme, user__is_active=True)
        .active_on(day or timezone.localdate())
        .select_related("user")
        .annotate(open_count=Coalesce(Subquery(open_requests, output_field=IntegerField()), Value(0)))
        .order_by("domain", "user__full_name")
    )


@dataclass
class RoutePage:
    consultation: Consultation
    workloads: list[Specialist]
    routings: list[Routing]

    @property
    def suggested(self) -> Specialist | None:
        return next((s for s in self.workloads if s.domain == self.consultation.suggested_domain), None)


def route_page(user, pk) -> RoutePage:
    consultation = consultation_visible_to(user, pk, related=("specialist__user", "organisation", "programme"))
    routings = list(consultation.routings.select_related("specialist__user", "routed_by"))
    return RoutePage(consultation, specialist_workloads(consultation.programme), routings)


def routable_specialists(programme) -> QuerySet[Specialist]:
    """The specialists a request may be routed to (the route form's choices)."""
    return (
        Specialist.objects.filter(user__programme=programme, user__is_active=True)
        .active_on(timezone.localdate())
        .select_related("user")
    )


def routed_history(programme, *, limit: int = 2000) -> list[tuple[str, str]]:
    """(text, domain) of the programme's latest routed requests: what the classifier learns from."""
    rows = (
        Routing.objects.filter(consultation__programme=programme, is_current=True)
        .order_by("-routed_at")
        .values_list("consultation__title", "consultation__description", "domain")[:limit]
    )
    return [(f"{title}\n{description}", domain) for title, description, domain in rows]


THREAD_PAGE = 40  # messages shown at once; a longer conversation pages back from its latest message
HISTORY_LIMIT = 100  # history entries shown (the latest); messages are in the thread, not repeated here
THREAD_ORDER = ("created_at", "id")


@dataclass
class Detail:
    consultation: Consultation
    thread: KeysetPage  # the page of the conversation shown: the latest messages unless a cursor asks otherwise
    history: list[Event]
    history_truncated: bool


def consultation_for_detail(user, pk: int, *, thread_cursor: str | None = None) -> Detail:
    """The consultation with a page of its thread, its files and its history, filtered for this user.

    The page's cost stays bounded however long the conversation: THREAD_PAGE messages, HISTORY_LIMIT entries.
    Raises Consultation.DoesNotExist when the user may not see it."""
    consultation = (
        consultations_visible_to(user)
        .select_related("organisation", "requester", "specialist__user", "programme")
        .annotate(is_watching=Exists(Watcher.objects.filter(consultation=OuterRef("pk"), user_id=user.pk)))
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(message__isnull=True),
                to_attr="request_attachments",
            ),
            # The visits planned for it (visits.Trip.consultations; read by name, consultations imports no visits).
            "trips",
        )
        .get(pk=pk)
    )
    mark_visible(consultation, user)
    internal = sees_internal(user)
    messages = Message.objects.filter(consultation=consultation).select_related("author")
    messages = messages.prefetch_related("attachments")
    events = Event.objects.filter(consultation=consultation).exclude(kind__in=[EventKind.REPLIED, EventKind.NOTE])
    if not internal:
        messages = messages.filter(kind=MessageKind.REPLY)
        events = events.filter(internal=False)
    thread = paginate(messages, THREAD_ORDER, thread_cursor, per_page=THREAD_PAGE, count=False, start_at_end=True)
    latest = list(events.select_related("actor").order_by("-created_at", "-id")[: HISTORY_LIMIT + 1])
    history = list(reversed(latest[:HISTORY_LIMIT]))
    return Detail(consultation, thread, history, history_truncated=len(latest) > HISTORY_LIMIT)


def attachment_visible_to(user, pk: int) -> Attachment:
    """An attachment the user may download: its request is visible, and a note's file only to internal readers."""
    attachment = Attachment.objects.select_related("consultation__specialist", "message").get(
        pk=pk, consultation__in=consultations_visible_to(user)
    )
    mark_visible(attachment.consultation, user)
    if attachment.message_id and attachment.message.is_internal and not can_see_internal(user, attachment.consultation):
        raise Attachment.DoesNotExist
    return attachment
