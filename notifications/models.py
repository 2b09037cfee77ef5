"""The outbox: one row per e-mail. Features schedule rows (notifications.services); tasks claim and send them."""

from django.conf import settings
from django.db import models
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

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["sent_at", "digest"], name="notification_unsent_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}: {self.subject}"
