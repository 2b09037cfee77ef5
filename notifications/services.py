"""Writes on the outbox: schedule a row, send it exactly once, send the daily digests, recover abandoned claims.

Sending is safe to run twice: a worker claims rows with a conditional UPDATE (`claimed_at` from NULL to now) and only
the worker whose UPDATE matched sends. The claim is committed before the e-mail leaves, so the sending functions must
not run inside a transaction that also spans the send (tasks call them in autocommit mode).
"""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.enums import EmailDelivery
from accounts.models import User
from notifications.models import Notification

logger = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(minutes=30)
DIGEST_EXCERPT_LINES = 3
DIGEST_EXCERPT_CHARS = 300


def _deliverable(user: User) -> bool:
    return user.is_active and bool((user.email or "").strip())


def _one_line(text: str) -> str:
    return " ".join(text.split())


def notification_schedule(
    *, recipient: User, kind: str, subject: str, body: str, url: str = "", unique_key: str | None = None
) -> Notification | None:
    """Put one message for `recipient` in the outbox; call it inside the feature's transaction.

    Returns the row, the existing row when `unique_key` was scheduled before, or None when the recipient cannot
    receive e-mail (deactivated, no address). Immediate rows are handed to a worker after commit; digest rows wait for
    the daily digest.
    """
    from notifications.tasks import send_notification  # tasks import services; keep the cycle out of module import

    if not _deliverable(recipient):
        return None
    fields = {
        "recipient": recipient,
        "kind": kind,
        "subject": _one_line(subject)[: Notification._meta.get_field("subject").max_length],
        "body": body,
        "url": url,
        "digest": recipient.email_delivery == EmailDelivery.DIGEST,
    }
    if unique_key is None:
        notification = Notification.objects.create(**fields)
    else:
        # get_or_create inserts in a savepoint; when a concurrent transaction inserted the same key first, the
        # IntegrityError is caught there and the committed row is fetched and returned instead.
        notification, created = Notification.objects.get_or_create(unique_key=unique_key, defaults=fields)
        if not created:
            return notification
    if not notification.digest:
        # robust: the feature's transaction has committed; a broker outage must not turn its response into an error.
        # The row stays in the outbox and notifications_release_stale hands it to a worker later.
        pk = notification.pk
        transaction.on_commit(lambda: send_notification.delay(pk), robust=True)
    return notification


def _release(queryset, error: BaseException) -> None:
    queryset.filter(sent_at__isnull=True).update(
        claimed_at=None, batch=None, last_error=f"{type(error).__name__}: {error}"
    )


def notification_send(*, notification_id: int) -> bool:
    """Send one immediate row if nobody has sent or claimed it. Returns True if this call sent it.

    On a failure to send, the claim is released and the error re-raised, so that the task retries.
    """
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, sent_at__isnull=True, claimed_at__isnull=True).update(
        claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False  # sent already, being sent by another worker, or deleted
    rows = Notification.objects.filter(pk=notification_id)
    notification = rows.select_related("recipient").get()
    recipient = notification.recipient
    if not _deliverable(recipient):
        rows.update(claimed_at=None, last_error=_("The recipient is deactivated or has no e-mail address."))
        return False
    body = notification.body.rstrip()
    if notification.url and notification.url not in body:
        body = f"{body}\n\n{notification.url}"
    message = EmailMessage(
        subject=_one_line(notification.subject),
        body=body + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    try:
        message.send()
    except Exception as error:
        _release(rows, error)
        raise
    rows.update(sent_at=timezone.now())
    return True


def _excerpt(body: str) -> str:
    lines = [line.rstrip() for line in body.strip().splitlines() if line.strip()][:DIGEST_EXCERPT_LINES]
    text = "\n".join(lines)
    return text if len(text) <= DIGEST_EXCERPT_CHARS else text[: DIGEST_EXCERPT_CHARS - 1].rstrip() + "…"


def _digest_waiting_ids(*, recipient_id: int, now: dt.datetime) -> list[int]:
    return list(
        Notification.objects.filter(
            recipient_id=recipient_id, digest=True, sent_at__isnull=True, claimed_at__isnull=True, created_at__lte=now
        ).values_list("pk", flat=True)
    )


def _digest_send_to(*, recipient_id: int, now: dt.datetime) -> bool:
    """Claim every waiting digest row of one person in one UPDATE and mail them together. True if an e-mail left."""
    candidates = _digest_waiting_ids(recipient_id=recipient_id, now=now)
    batch = uuid.uuid4()
    # Only rows still unclaimed are taken; a concurrent run that got there first keeps the ones it took.
    claimed = Notification.objects.filter(pk__in=candidates, sent_at__isnull=True, claimed_at__isnull=True).update(
        claimed_at=now, batch=batch, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    rows = Notification.objects.filter(batch=batch)
    notifications = list(rows.order_by("created_at", "pk"))
    recipient = User.objects.get(pk=recipient_id)
    if not _deliverable(recipient):
        rows.update(claimed_at=None, batch=None, last_error=_("The recipient is deactivated or has no e-mail address."))
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
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.email]).send()
    except Exception as error:
        _release(rows, error)
        raise
    rows.update(sent_at=timezone.now())
    return True


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send each person with waiting digest rows one e-mail listing them. Returns how many e-mails were sent.

    Safe to run twice, even at the same moment: each row is claimed by exactly one run. When sending to someone
    fails, their rows are released, the others still get their digest, and the first error is raised at the end so
    that the task retries (only the released rows are sent then).
    """
    now = now or timezone.now()
    recipient_ids = list(
        Notification.objects.filter(
            digest=True, sent_at__isnull=True, claimed_at__isnull=True, created_at__lte=now, recipient__is_active=True
        )
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    first_error: Exception | None = None
    for recipient_id in recipient_ids:
        try:
            sent += _digest_send_to(recipient_id=recipient_id, now=now)
        except Exception as error:
            logger.exception("Digest for user %s not sent; its rows are released for the next run", recipient_id)
            first_error = first_error or error
    if first_error is not None:
        raise first_error
    return sent


def notifications_release_stale(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Make rows claimed but never sent (the worker died) claimable again. Returns how many were released.

    Released immediate rows are handed to a worker again, and so are immediate rows that were never attempted (the
    hand-over after commit was lost, e.g. the broker was down). Rows that failed every retry stay for an
    administrator (see last_error in the admin). Released digest rows go out with the next digest.
    """
    from notifications.tasks import send_notification

    cutoff = timezone.now() - older_than
    stale = list(Notification.objects.filter(sent_at__isnull=True, claimed_at__lt=cutoff).values_list("pk", "digest"))
    released = Notification.objects.filter(
        pk__in=[pk for pk, _digest in stale], sent_at__isnull=True, claimed_at__lt=cutoff
    ).update(claimed_at=None, batch=None, last_error=_("Released: the worker did not finish sending."))
    never_attempted = Notification.objects.filter(
        sent_at__isnull=True, claimed_at__isnull=True, digest=False, attempts=0, created_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pk in sorted({pk for pk, digest in stale if not digest} | set(never_attempted)):
        send_notification.delay(pk)  # harmless if someone else sends it first: sending claims the row
    if released:
        logger.warning("Released %s notification(s) claimed before %s and never sent", released, cutoff)
    return released


@transaction.atomic
def notification_preference_set(*, user: User, delivery: str) -> None:
    """How `user` wants e-mails: one per event, or a daily digest. Applies to rows scheduled from now on."""
    if delivery not in EmailDelivery.values:
        raise ValidationError({"email_delivery": _("Choose how you want to receive e-mails.")})
    User.objects.filter(pk=user.pk).update(email_delivery=delivery)
    user.email_delivery = delivery
