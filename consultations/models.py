import uuid
from pathlib import PurePath

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.enums import EventKind, HelpFormat, MessageKind, Status, Urgency
from consultations.workflow import WORKLOAD_STATUSES
from dxshare.history import tracked
from specialists.enums import Domain

SUBMITTED = ~models.Q(status=Status.DRAFT)


@tracked("ConsultationHistory", exclude=["search_text"])
class Consultation(models.Model):
    """A consultation request (相談) from a municipality, or the prefecture, to the programme's specialists."""

    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "municipalities.LocalGovernment",
        verbose_name=_("requesting organisation"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    requester = models.ForeignKey(
        "accounts.User", verbose_name=_("requester"), on_delete=models.PROTECT, related_name="consultations"
    )
    reference = models.CharField(_("reference number"), max_length=24, blank=True, db_index=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True)

    title = models.CharField(pgettext_lazy("consultation", "subject"), max_length=200)
    description = models.TextField(pgettext_lazy("consultation", "description"))
    requested_domain = models.CharField(
        _("domain you think fits"),
        max_length=16,
        choices=Domain.choices,
        blank=True,
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    help_format = models.CharField(
        _("preferred form of help"), max_length=8, choices=HelpFormat.choices, default=HelpFormat.WRITTEN
    )
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    timing_note = models.CharField(_("timing"), max_length=200, blank=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "Only your municipality, the support centre and the assigned specialist see a confidential request "
            "(e.g. a co-creation theme with a company before it is commercialised)."
        ),
    )

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    specialist = models.ForeignKey(
        "specialists.Specialist",
        verbose_name=_("assigned specialist"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        help_text=_("Kept in step with the current routing by the routing service."),
    )
    suggested_domain = models.CharField(_("suggested domain"), max_length=16, choices=Domain.choices, blank=True)
    suggestion = models.JSONField(_("suggestion details"), default=dict, blank=True)

    search_text = models.TextField(
        _("search text"),
        blank=True,
        default="",
        editable=False,
        help_text=_("Reference, subject, description and organisation, normalised for search (dxshare.textsearch)."),
    )

    # Who wrote the last reply the municipality can see (consultations.workflow.Party: requester, assignee or
    # centre) and when: the specialist's to-do list tells "the municipality replied" from "still with you".
    last_reply_by = models.CharField(_("last reply by"), max_length=16, blank=True, editable=False)
    last_reply_at = models.DateTimeField(_("last reply at"), null=True, blank=True, editable=False)

    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField(_("comment on the answer"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="unique_reference_per_programme",
            ),
            models.UniqueConstraint(
                fields=["programme", "fiscal_year", "sequence"], name="unique_sequence_per_programme_year"
            ),
            models.CheckConstraint(
                name="satisfaction_between_1_and_5",
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
            ),
            models.CheckConstraint(
                name="draft_has_no_reference",
                condition=models.Q(status=Status.DRAFT, reference="") | ~models.Q(status=Status.DRAFT),
            ),
        ]
        # Each list reads one of these in its sort order from the cursor on (dxshare.paging), so a page costs the
        # same at 200,000 requests as at 2,000. The bigram index for search is created by migration 0004 (PostgreSQL).
        indexes = [
            # The queue: newest first, or by last change; and the same within one status (inbox, status filter).
            # Drafts are left out: they have no submission time (they would head a descending index) and no queue
            # shows them, so abandoned drafts never slow a page down.
            models.Index(
                fields=["programme", "-submitted_at", "-id"], condition=SUBMITTED, name="consult_prog_newest_idx"
            ),
            models.Index(
                fields=["programme", "-updated_at", "-id"], condition=SUBMITTED, name="consult_prog_updated_idx"
            ),
            models.Index(fields=["programme", "status", "-submitted_at", "-id"], name="consult_prog_status_idx"),
            # A municipality's own list, newest first (drafts included, so by creation).
            models.Index(fields=["organisation", "-created_at", "-id"], name="consult_org_newest_idx"),
            # A specialist's own requests, newest first.
            models.Index(fields=["specialist", "-submitted_at", "-id"], name="consult_spec_newest_idx"),
            # Open workload per specialist (route page): only the open requests are in this index.
            models.Index(
                fields=["specialist"],
                condition=models.Q(status__in=sorted(WORKLOAD_STATUSES)),
                name="consult_spec_open_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference or _('draft')} {self.title}"

    def get_absolute_url(self):
        return reverse("consultations:detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class ReferenceCounter(models.Model):
    """The last sequence number used per programme and fiscal year; locked while a number is taken."""

    programme = models.ForeignKey("municipalities.Programme", on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "fiscal_year"], name="unique_counter")]

    def __str__(self):
        return f"{self.programme_id}/{self.fiscal_year}: {self.last}"


@tracked("RoutingHistory")
class Routing(models.Model):
    """One routing decision. Exactly one is current for a routed request; earlier ones stay as history."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="routings")
    specialist = models.ForeignKey(
        "specialists.Specialist", verbose_name=_("specialist"), on_delete=models.PROTECT, related_name="routings"
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    routed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("routed by"), on_delete=models.PROTECT, related_name="+"
    )
    routed_at = models.DateTimeField(_("routed at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)
    suggested_domain = models.CharField(_("suggested domain"), max_length=16, blank=True)
    is_current = models.BooleanField(default=True)
    handed_back_at = models.DateTimeField(_("handed back at"), null=True, blank=True)
    hand_back_reason = models.TextField(_("reason for handing back"), blank=True)

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        ordering = ["routed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation"], condition=models.Q(is_current=True), name="one_current_routing"
            )
        ]

    def __str__(self):
        return f"{self.consultation_id} → {self.specialist_id}"

    @property
    def followed_suggestion(self) -> bool:
        return bool(self.suggested_domain) and self.suggested_domain == self.domain


@tracked("MessageHistory")
class Message(models.Model):
    """A post in the request's thread: a reply (visible to the municipality) or an internal note."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey("accounts.User", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices, default=MessageKind.REPLY)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "created_at", "id"], name="message_thread_idx")]

    def __str__(self):
        return f"{self.consultation_id}: {self.body[:40]}"

    @property
    def is_internal(self) -> bool:
        return self.kind == MessageKind.NOTE


def attachment_path(instance, filename: str) -> str:
    """A random name on disk: the original name is kept in the row and sent back on download."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"consultations/{instance.consultation_id}/{uuid.uuid4().hex}{suffix}"


@tracked("AttachmentHistory")
class Attachment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("consultations:attachment", kwargs={"pk": self.pk})


class Event(models.Model):
    """The history of a request: every status change, routing decision and edit, with who and when."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    internal = models.BooleanField(_("internal"), default=False, help_text=_("Hidden from the municipality."))
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "-created_at", "-id"], name="event_latest_idx")]

    def __str__(self):
        return f"{self.consultation_id} {self.kind}"


class Watcher(models.Model):
    """People who receive e-mails about a request besides the requester and the assigned specialist."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="watching")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="unique_watcher")]

    def __str__(self):
        return f"{self.user_id} watches {self.consultation_id}"
