"""Writes on the outbox: schedule a row, send it exactly once, send digests, sweep, retry.

How a row is sent once, and never lost
--------------------------------------
- A feature writes the row in its own transaction (`notification_schedule`); a worker is handed its id only after
  that transaction commits. If the hand-over is lost (Redis restarted empty, the broker down), the row is still in
  PostgreSQL and the sweep hands it over again once its lease (`next_attempt_at`) has passed.
- A worker sends a row only after winning a conditional UPDATE that claims it (`claimed_at`); a second worker, a
  second sweep or a redelivered task finds it claimed or sent and does nothing.
- A claim expires: `claim_timeout()` is the send task's hard time limit plus a margin, so a claim outlives any worker
  that is still allowed to run, and a killed worker's row is sent again by the next sweep, within a few minutes.
- When the mail server refuses, the claim is released and `next_attempt_at` pushed back (30 s, 1 min, 2 min … up
  to an hour); after MAX_ATTEMPTS the row is marked failed, and a coordinator sees it in the outbox and can retry.
- The one gap no database can close: the mail server accepted the message and the worker died before recording it.
  The row is then sent again with the same Message-ID, which mail systems and clients use to show it once.

The sending functions run in autocommit mode (tasks call them): the claim must be committed before the e-mail leaves.
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import EmailDelivery
from accounts.models import User
from notifications import mail, registry
from notifications.models import Delivery, Notification, Preference

logger = logging.getLogger(__name__)

DIGEST_EXCERPT_LINES = 3
DIGEST_EXCERPT_CHARS = 300
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min apart: about an hour of a mail server's outage
DISPATCH_LEASE = dt.timedelta(minutes=2)  # a handed-over row is not handed over again before this
DISPATCH_BATCH = 1000


def claim_timeout() -> dt.timedelta:
    """How long a claim holds: the send task's hard time limit and a margin. Past it, the worker is dead."""
    return dt.timedelta(seconds=settings.NOTIFICATION_SEND_TIME_LIMIT + 30)


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), dt.timedelta(hours=1))


def _deliverable(user: User) -> bool:
    return user.is_active and bool((user.email or "").strip())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _message_id(kind: str, key) -> str:
    return f"<dxshare.{kind}.{key}@{settings.ICALENDAR_UID_DOMAIN or 'dxshare.invalid'}>"


def _claimable(now: dt.datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_timeout())


# --- Preferences --------------------------------------------------------------------------------------------------


def _resolve(kind: str, chosen: str | None, general: str) -> str:
    if chosen == Delivery.OFF and not registry.can_turn_off(kind):
        chosen = None
    return chosen or (Delivery.DIGEST if general == EmailDelivery.DIGEST else Delivery.IMMEDIATE)


def delivery_for(user: User, kind: str) -> str:
    """At once, in the digest or off: the person's choice for this kind, else their general choice."""
    chosen = Preference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return _resolve(kind, chosen, user.email_delivery)


def deliveries_for(pairs: list[tuple[User, str]]) -> dict[tuple[int, str], str]:
    """delivery_for for many (person, kind) pairs in one query (the sweep's batches)."""
    user_ids = {user.pk for user, _kind in pairs}
    kinds = {kind for _user, kind in pairs}
    chosen = {
        (user_id, kind): delivery
        for user_id, kind, delivery in Preference.objects.filter(user_id__in=user_ids, kind__in=kinds).values_list(
            "user_id", "kind", "delivery"
        )
    }
    return {(user.pk, kind): _resolve(kind, chosen.get((user.pk, kind)), user.email_delivery) for user, kind in pairs}


@transaction.atomic
def notification_preference_set(*, user: User, delivery: str, kinds: dict[str, str] | None = None) -> None:
    """How `user` wants e-mails: their general choice (one per event, or a daily digest) and, per kind, at once,
    in the digest or off (where turning off is allowed). Applies to rows scheduled from now on."""
    if delivery not in EmailDelivery.values:
        raise ValidationError({"email_delivery": _("Choose how you want to receive e-mails.")})
    for kind, choice in (kinds or {}).items():
        if registry.get(kind) is None or choice not in Delivery.values:
            raise ValidationError(_("Choose one of the offered options for each kind of e-mail."))
        if choice == Delivery.OFF and not registry.can_turn_off(kind):
            raise ValidationError(
                _("“%(kind)s” cannot be turned off.") % {"kind": registry.get(kind).label}, code="required"
            )
    User.objects.filter(pk=user.pk).update(email_delivery=delivery)
    user.email_delivery = delivery
    for kind, choice in (kinds or {}).items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": choice})


def preferences_of(user: User) -> dict[str, str]:
    return dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))


# --- Scheduling ---------------------------------------------------------------------------------------------------


def _dispatch_after_commit(pk: int) -> None:
    from notifications.tasks import send_notification  # tasks import services; keep the cycle out of module import

    # robust: the feature's transaction has committed; a broker outage must not turn its response into an error.
    # The row stays in the outbox and the sweep hands it to a worker when its lease has passed.
    transaction.on_commit(lambda: send_notification.delay(pk), robust=True)


def notification_schedule(
    *,
    recipient: User,
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    unique_key: str | None = None,
    delivery: str | None = None,
    about=None,
) -> Notification | None:
    """Put one message for `recipient` in the outbox; call it inside the feature's transaction.

    Returns the row, the existing row when `unique_key` was scheduled before, or None when the recipient cannot
    receive e-mail (deactivated, no address) or turned this kind off. Immediate rows are handed to a worker after
    commit; digest rows wait for the daily digest. `delivery`: the recipient's choice when the caller has read it.
    `about`: the object the message is about; the row is sent only while the recipient may still see it.
    """
    if not _deliverable(recipient):
        return None
    delivery = delivery or delivery_for(recipient, kind)
    if delivery == Delivery.OFF:
        return None
    now = timezone.now()
    immediate = delivery == Delivery.IMMEDIATE
    fields = {
        "recipient": recipient,
        "kind": kind,
        "subject": _one_line(subject)[: Notification._meta.get_field("subject").max_length],
        "body": body,
        "url": url,
        "digest": not immediate,
        "created_at": now,
        "next_attempt_at": now + DISPATCH_LEASE if immediate else now,
    }
    if about is not None:
        fields.update(about_type=ContentType.objects.get_for_model(about), about_id=about.pk)
    if unique_key is None:
        notification = Notification.objects.create(**fields)
    else:
        # get_or_create inserts in a savepoint; when a concurrent transaction inserted the same key first, the
        # IntegrityError is caught there and the committed row is fetched and returned instead.
        notification, created = Notification.objects.get_or_create(unique_key=unique_key, defaults=fields)
        if not created:
            return notification
    if immediate:
        _dispatch_after_commit(notification.pk)
    return notification


def notifications_schedule_many(items: list[dict], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Many rows at once, each with a unique key (the reminder sweep): one INSERT that skips keys written before,
    one read of the ids. Returns {unique_key: notification id} for every key now in the outbox. Rows are not handed
    to workers one by one: they are due now, and the sweep's dispatch step that follows hands them over."""
    now = now or timezone.now()
    rows = [
        Notification(
            recipient=item["recipient"],
            kind=item["kind"],
            subject=_one_line(item["subject"])[: Notification._meta.get_field("subject").max_length],
            body=item["body"],
            url=item.get("url", ""),
            unique_key=item["unique_key"],
            digest=item["delivery"] == Delivery.DIGEST,
            created_at=now,
            next_attempt_at=now,
        )
        for item in items
        if _deliverable(item["recipient"]) and item["delivery"] != Delivery.OFF
    ]
    if not rows:
        return {}
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return dict(
        Notification.objects.filter(unique_key__in=[row.unique_key for row in rows]).values_list("unique_key", "pk")
    )


# --- Sending ------------------------------------------------------------------------------------------------------


def _failed(rows, *, attempts: int, error: BaseException | str, now: dt.datetime) -> None:
    """Release a claim after a failed send: try again later, or give up after MAX_ATTEMPTS."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    if attempts >= MAX_ATTEMPTS:
        rows.filter(sent_at__isnull=True).update(claimed_at=None, batch=None, failed_at=now, last_error=text)
    else:
        rows.filter(sent_at__isnull=True).update(
            claimed_at=None, batch=None, next_attempt_at=now + backoff(attempts), last_error=text
        )


def notification_send(*, notification_id: int) -> bool:
    """Send one immediate row if nobody has sent it and nobody holds a live claim on it. True if this call sent it.

    A failure to send is recorded on the row (retried later by the sweep, or marked failed); it is not raised.
    """
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, sent_at__isnull=True, failed_at__isnull=True, digest=False)
        .filter(_claimable(now))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return False  # sent already, being sent by a live worker, failed for good, or deleted
    rows = Notification.objects.filter(pk=notification_id)
    notification = rows.select_related("recipient").get()
    recipient = notification.recipient
    if not _deliverable(recipient):
        rows.update(
            claimed_at=None, failed_at=now, last_error=_("The recipient is deactivated or has no e-mail address.")
        )
        return False
    if notification.pk not in _still_visible(recipient, [notification]):
        rows.update(claimed_at=None, failed_at=now, last_error=str(NOT_VISIBLE))
        return False
    body = notification.body.rstrip()
    if notification.url and notification.url not in body:
        body = f"{body}\n\n{notification.url}"
    message = mail.build(
        subject=_one_line(notification.subject),
        body=body + "\n",
        to_email=recipient.email,
        to_name=recipient.full_name,
        message_id=_message_id("notification", notification.pk),
    )
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 (whatever failed is recorded on the row, retried with back-off)
        logger.warning("Notification %s not sent (attempt %s): %s", notification_id, notification.attempts, error)
        _failed(rows, attempts=notification.attempts, error=error, now=now)
        return False
    rows.update(sent_at=timezone.now(), last_error="")
    return True


def _still_visible(recipient: User, notifications: list[Notification]) -> set[int]:
    """The rows whose subject the recipient may still see now (rows about nothing in particular always may): a
    request made confidential, a person moved to another municipality or programme, hears no more of it."""
    allowed = {n.pk for n in notifications if n.about_type_id is None}
    by_type: dict[int, list[Notification]] = {}
    for n in notifications:
        if n.about_type_id is not None:
            by_type.setdefault(n.about_type_id, []).append(n)
    for type_id, rows in by_type.items():
        model = ContentType.objects.get_for_id(type_id)
        check = registry.visibility(f"{model.app_label}.{model.model}")
        allowed |= check(recipient, rows) if check is not None else {n.pk for n in rows}
    return allowed


NOT_VISIBLE = gettext_lazy("Not sent: the recipient may no longer see what it is about.")


def _excerpt(body: str) -> str:
    lines = [line.rstrip() for line in body.strip().splitlines() if line.strip()][:DIGEST_EXCERPT_LINES]
    text = "\n".join(lines)
    return text if len(text) <= DIGEST_EXCERPT_CHARS else text[: DIGEST_EXCERPT_CHARS - 1].rstrip() + "…"


def _digest_waiting(now: dt.datetime):
    # Not next_attempt_at: a digest task runs when the daily run or the sweep (after the back-off) hands it over.
    return Notification.objects.filter(
        digest=True, sent_at__isnull=True, failed_at__isnull=True, created_at__lte=now
    ).filter(_claimable(now))


def digest_send_to(*, recipient_id: int, now: dt.datetime | None = None) -> bool:
    """Claim every waiting digest row of one person in one UPDATE and mail them together. True if an e-mail left.

    Safe to run twice at once: each row is claimed by one run. A failure is recorded on the rows, not raised."""
    now = now or timezone.now()
    batch = uuid.uuid4()
    # Only rows still claimable are taken; a concurrent run that got there first keeps the ones it took.
    candidates = _digest_waiting(now).filter(recipient_id=recipient_id).values("pk")
    claimed = (
        Notification.objects.filter(pk__in=candidates)
        .filter(_claimable(now))
        .update(claimed_at=now, batch=batch, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    rows = Notification.objects.filter(batch=batch)
    notifications = list(rows.order_by("created_at", "pk"))
    attempts = max(n.attempts for n in notifications)
    recipient = User.objects.get(pk=recipient_id)
    if not _deliverable(recipient):
        rows.update(
            claimed_at=None,
            batch=None,
            failed_at=now,
            last_error=_("The recipient is deactivated or has no e-mail address."),
        )
        return False
    visible = _still_visible(recipient, notifications)
    if len(visible) < len(notifications):
        Notification.objects.filter(batch=batch).exclude(pk__in=visible).update(
            claimed_at=None, batch=None, failed_at=now, last_error=str(NOT_VISIBLE)
        )
        notifications = [n for n in notifications if n.pk in visible]
        if not notifications:
            return False
    try:
        with translation.override(recipient.language):
            context = {
                "recipient": recipient,
                "date": timezone.localdate(now),
                "count": len(notifications),
                "items": [
                    {"subject": _one_line(n.subject), "excerpt": _excerpt(n.body), "url": n.url} for n in notifications
                ],
                "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
            }
            subject = _one_line(render_to_string("notifications/emails/digest_subject.txt", context))
            body = render_to_string("notifications/emails/digest_body.txt", context).strip() + "\n"
        mail.build(
            subject=subject,
            body=body,
            to_email=recipient.email,
            to_name=recipient.full_name,
            message_id=_message_id("digest", batch),
        ).send()
    except Exception as error:  # noqa: BLE001 (whatever failed is recorded on the row, retried with back-off)
        logger.warning("Digest for user %s not sent (attempt %s): %s", recipient_id, attempts, error)
        _failed(rows, attempts=attempts, error=error, now=now)
        return False
    rows.update(sent_at=timezone.now(), last_error="")
    return True


def digests_send(*, now: dt.datetime | None = None) -> int:
    """The daily digest: hand each person with waiting digest rows to a worker (one task each, so that one slow or
    failing mailbox holds up nobody else). Returns how many people were handed over."""
    from notifications.tasks import send_digest

    now = now or timezone.now()
    recipient_ids = list(
        _digest_waiting(now)
        .filter(recipient__is_active=True)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for recipient_id in recipient_ids:
        send_digest.delay(recipient_id, now.isoformat())  # rows written after this run wait for the next one
    return len(recipient_ids)


# --- The sweep ----------------------------------------------------------------------------------------------------


def _lease(queryset, now: dt.datetime, limit: int = DISPATCH_BATCH) -> list[tuple[int, int]]:
    """Take up to `limit` rows (skipping those another sweep holds), push their lease forward, return (pk,
    recipient_id) pairs."""
    with transaction.atomic():
        taken = list(
            queryset.order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "recipient_id")[:limit]
        )
        if taken:
            Notification.objects.filter(pk__in=[pk for pk, _recipient in taken]).update(
                next_attempt_at=now + DISPATCH_LEASE
            )
    return taken


def notifications_dispatch_due(*, now: dt.datetime | None = None) -> int:
    """Hand to workers the immediate rows that are due and nobody holds: never handed over (the broker lost them),
    released after a failure and due again, or claimed by a worker that died. Returns how many were handed over."""
    from notifications.tasks import send_digest, send_notification

    now = now or timezone.now()
    due = Notification.objects.filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now).filter(
        _claimable(now)
    )
    handed = 0
    try:
        for pk, _recipient in _lease(due.filter(digest=False), now):
            send_notification.delay(pk)
            handed += 1
        # Digest rows that a digest run already tried (it failed, or its worker died): their run again, not
        # tomorrow's. Rows never tried wait for the digest hour.
        recipients = {recipient for _pk, recipient in _lease(due.filter(digest=True, attempts__gt=0), now)}
        for recipient_id in sorted(recipients):
            send_digest.delay(recipient_id)
            handed += 1
    except Exception:  # the broker is down: the leases run out and the next sweep tries again
        logger.exception("The outbox sweep could not hand rows to the workers; the next sweep tries again")
    return handed


def outbox_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute (beat; safe with two beats): due reminders become notifications, due notifications go to the
    workers."""
    from notifications.reminders import reminders_sweep

    now = now or timezone.now()
    reminders = reminders_sweep(now=now)
    return {"reminders": reminders, "handed_over": notifications_dispatch_due(now=now)}


# --- The coordinators' outbox page ----------------------------------------------------------------------------------


@transaction.atomic
def notification_retry(*, notification: Notification, by: User) -> Notification:
    """Try a failed (or still retrying) row again now, with a fresh set of attempts."""
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.sent_at is not None:
        raise ValidationError(_("This e-mail has been sent already."), code="sent")
    if row.failed_at is None and row.attempts == 0:
        raise ValidationError(_("This e-mail has not been tried yet; it goes out by itself."), code="waiting")
    now = timezone.now()
    Notification.objects.filter(pk=row.pk).update(
        failed_at=None, attempts=0, claimed_at=None, batch=None, next_attempt_at=now
    )
    logger.info("Notification %s retried by user %s", row.pk, by.pk)
    if row.digest:
        from notifications.tasks import send_digest

        recipient_id = row.recipient_id
        transaction.on_commit(lambda: send_digest.delay(recipient_id), robust=True)
    else:
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=now + DISPATCH_LEASE)
        _dispatch_after_commit(row.pk)
    row.refresh_from_db()
    return row
