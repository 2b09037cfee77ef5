"""The outbox and its reminders.

- `Notification`: one row per e-mail. Features schedule rows (notifications.services); tasks claim and send them.
- `Reminder`: one row per (kind, subject, recipient, occasion), written by a feature in the same transaction as the
  change it follows, due at a moment; the sweep (notifications.reminders) turns due rows into notifications.
- `Preference`: how a person wants one kind of e-mail (immediately, in the daily digest, or not at all).

The outbox knows no feature: a feature registers its kinds and how to write a reminder (notifications.registry).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message for one person, already written in their language by the feature that scheduled it.

    A row is sent at most once: a worker first claims it (`claimed_at`, a conditional update that only one worker can
    win), then sends it and sets `sent_at`. Rows marked `digest` wait for the daily digest instead.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=64, help_text=_("What happened, e.g. consultation.routed."))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"), help_text=_("Plain text, in the recipient's language."))
    url = models.CharField(_("link"), max_length=500, blank=True, help_text=_("Absolute address to open."))
    unique_key = models.CharField(
        _("unique key"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Scheduling the same key twice creates one row. Empty: no deduplication."),
    )
    digest = models.BooleanField(
        _("in the daily digest"),
        default=False,
        help_text=_("The recipient's choice when the row was scheduled: sent in the next daily digest."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(
        _("claimed at"), null=True, blank=True, help_text=_("When a worker took the row to send it.")
    )
    batch = models.UUIDField(
        _("digest batch"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Marks the rows one digest run claimed together."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # What the message is about, when a feature says so: it is sent only while the recipient may still see that
    # (notifications.registry.register_visibility), asked again when a worker or the digest sends it.
    about_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        default=timezone.now,
        help_text=_("The sweep hands the row to a worker from this moment (after a failure: later and later)."),
    )
    failed_at = models.DateTimeField(
        _("gave up at"), null=True, blank=True, help_text=_("Every attempt failed; a coordinator can retry it.")
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep: rows still to send, oldest due first (a partial index: sent rows are most of the table).
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(fields=["-created_at", "-id"], name="notification_outbox_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}: {self.subject}"

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        if self.digest:
            return "digest"
        return "retrying" if self.attempts else "pending"


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Done")
    SKIPPED = "skipped", _("Not needed any more")
    CANCELLED = "cancelled", _("Cancelled")


class Reminder(models.Model):
    """Remind `recipient` of `subject` at `due_at`, once: the unique key is (kind, subject, recipient, occasion).

    `occasion` tells two reminders of one subject apart: the day of a visit ("2027-01-29"), "7d" before an event's
    day, the status change a request waits since. Moving a visit to another day is a new occasion; the old row is
    cancelled in the same transaction (notifications.reminders.reminders_plan).
    """

    kind = models.CharField(_("kind"), max_length=64)
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="reminders"
    )
    occasion = models.CharField(_("occasion"), max_length=64)
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=12, choices=ReminderState.choices, default=ReminderState.PENDING)
    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "recipient", "occasion"], name="reminder_once"
            ),
        ]
        indexes = [
            # The sweep reads the due pending rows in due order from this partial index, never the whole table.
            models.Index(fields=["due_at"], name="reminder_due_idx", condition=Q(state="pending")),
            models.Index(fields=["subject_type", "subject_id"], name="reminder_subject_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.subject_type_id}:{self.subject_id} → {self.recipient_id} ({self.occasion})"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("Off")


class Preference(models.Model):
    """How one person wants one kind of e-mail. Without a row, their general choice (User.email_delivery) holds."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=64)
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.delivery}"
