"""The coordinators' weekly digest: new requests, requests waiting to be routed or for a first answer, and the
coming week's visits and events of their programme, on the day and at the hour the programme chose
(municipalities.ReminderPolicy).

Beat runs `weekly_digests_send` every hour; a programme's digest is written once its moment of the week has passed,
with a unique key per programme, ISO week and person, so a second beat, a late run or a retry writes none twice, and
an hour missed while beat was down is caught up at the next run.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import CENTRE_ROLES
from accounts.models import User
from consultations.enums import Status
from consultations.models import Consultation, Routing
from dxshare.business_days import waited_since
from dxshare.fiscal import start_of_day
from municipalities.models import Programme, ReminderPolicy
from notifications.models import Notification
from notifications.services import notification_schedule
from visits.enums import EventStatus, TripStatus
from visits.models import Event, Trip

WEEKLY_DIGEST = "centre.weekly_digest"
LISTED = 8  # items listed per section; the counts cover all


def moment_of_week(policy: ReminderPolicy, now: dt.datetime) -> dt.datetime:
    """This ISO week's moment for the programme's digest (Monday is day 0), local time."""
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    day = monday + dt.timedelta(days=policy.weekly_digest_weekday)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(policy.weekly_digest_hour)))


def _capped_count(queryset, cap: int = 1000) -> int:
    return queryset.order_by()[:cap].count()


def contents(programme: Programme, policy: ReminderPolicy, now: dt.datetime) -> dict:
    """What the digest says (a fixed number of queries, each bounded by the programme's index and a cap)."""
    requests = Consultation.objects.filter(programme=programme)
    week_ago = now - dt.timedelta(days=7)
    new = requests.filter(submitted_at__gte=week_ago).exclude(status=Status.DRAFT)
    unrouted = requests.filter(status=Status.SUBMITTED)
    cutoff = start_of_day(waited_since(policy.first_answer_days, timezone.localdate(now)) + dt.timedelta(days=1))
    routed_long_ago = Routing.objects.filter(consultation=OuterRef("pk"), is_current=True, routed_at__lt=cutoff)
    overdue = requests.filter(Exists(routed_long_ago), status=Status.ROUTED)
    start, end = start_of_day(timezone.localdate(now)), start_of_day(timezone.localdate(now) + dt.timedelta(days=7))
    trips = (
        Trip.objects.filter(programme=programme, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=TripStatus.CANCELLED)
        .select_related("municipality")
        .order_by("starts_at", "id")
    )
    events = (
        Event.objects.filter(programme=programme, starts_at__lt=end, ends_at__gt=start)
        .exclude(status=EventStatus.CANCELLED)
        .order_by("starts_at", "id")
    )
    return {
        "new": list(new.order_by("-submitted_at", "-id")[:LISTED]),
        "new_count": _capped_count(new),
        "unrouted": list(unrouted.order_by("submitted_at", "id")[:LISTED]),
        "unrouted_count": _capped_count(unrouted),
        "overdue": list(overdue.order_by("submitted_at", "id")[:LISTED]),
        "overdue_count": _capped_count(overdue),
        "overdue_days": policy.first_answer_days,
        "visits": list(trips[:LISTED]),
        "visit_count": _capped_count(trips),
        "events": list(events[:LISTED]),
        "event_count": _capped_count(events),
    }


def weekly_digest_write(programme: Programme, policy: ReminderPolicy, now: dt.datetime) -> int:
    """Write the programme's digest for each coordinator and the centre head (once per ISO week). Returns rows."""
    year, week, _day = timezone.localdate(now).isocalendar()
    recipients = list(User.objects.filter(programme=programme, role__in=list(CENTRE_ROLES), is_active=True))
    keys = {user.pk: f"{WEEKLY_DIGEST}:{programme.pk}:{year}-W{week:02d}:{user.pk}" for user in recipients}
    if not recipients or Notification.objects.filter(unique_key__in=keys.values()).count() == len(keys):
        return 0  # written already this week (the hourly runs after the moment)
    data = contents(programme, policy, now)
    written = 0
    with transaction.atomic():
        for user in recipients:
            with translation.override(user.language):
                context = {
                    **data,
                    "programme": programme,
                    "site": settings.SITE_URL,
                    "calendar_url": settings.SITE_URL + reverse("visits:calendar"),
                    "inbox_url": settings.SITE_URL + reverse("consultations:inbox"),
                    "date": timezone.localdate(now),
                }
                subject = render_to_string("reports/emails/weekly_digest_subject.txt", context).strip()
                body = render_to_string("reports/emails/weekly_digest_body.txt", context)
            row = notification_schedule(
                recipient=user,
                kind=WEEKLY_DIGEST,
                subject=subject,
                body=body,
                url=context["inbox_url"],
                unique_key=keys[user.pk],
            )
            written += row is not None
    return written


def weekly_digests_send(*, now: dt.datetime | None = None) -> int:
    """Every hour (beat): the programmes whose moment of this week has passed get their digest, once."""
    now = now or timezone.now()
    policies = {policy.programme_id: policy for policy in ReminderPolicy.objects.all()}
    written = 0
    for programme in Programme.objects.order_by("pk"):
        policy = policies.get(programme.pk) or ReminderPolicy(programme=programme)
        if now >= moment_of_week(policy, now):
            written += weekly_digest_write(programme, policy, now)
    return written
