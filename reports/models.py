"""What the centre's figures are read from.

- `BusinessDay`: one row per calendar day with the running count of business days up to it, so that the database
  itself measures waits in business days (weekends, national holidays and 29 December–3 January left out) and
  takes medians and percentiles over them.
- `Snapshot`: a programme's figures for one fiscal year, computed by the database in one go (reports.figures) and
  kept, so that the dashboard costs one row whatever the programme holds; refreshed every few minutes by beat and on
  request, and the page says how fresh it is.
- `Survey`, `SurveyInvitation`, `SurveyAnswer`: the satisfaction surveys after visits, events and requests and at the
  end of a year (reports.surveys): who was asked, and one answer per person per survey.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BusinessDay(models.Model):
    """A calendar day and the number of business days from 2000-01-01 up to and including it: the business days
    after `a` up to `b` are ordinal(b) - ordinal(a) (dxshare.business_days.business_days_between)."""

    day = models.DateField(primary_key=True)
    ordinal = models.IntegerField()

    class Meta:
        verbose_name = _("business day")
        verbose_name_plural = _("business days")

    def __str__(self):
        return f"{self.day}: {self.ordinal}"


class Snapshot(models.Model):
    programme = models.ForeignKey("municipalities.Programme", on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"), default=0)
    data = models.JSONField(_("figures"), default=dict)
    # Each member municipality's and specialist's year, for their own pages (reports.people); kept apart so that the
    # dashboard does not read and decode them on every view.
    details = models.JSONField(_("figures per municipality and specialist"), default=dict)

    class Meta:
        verbose_name = _("figures")
        verbose_name_plural = _("figures")
        constraints = [models.UniqueConstraint(fields=["programme", "fiscal_year"], name="snapshot_once")]

    def __str__(self):
        return f"{self.programme_id} FY{self.fiscal_year} @ {self.computed_at:%Y-%m-%d %H:%M}"


# --- Surveys ---------------------------------------------------------------------------------------------------------
# After a visit is done, after an event and when a request is closed, the municipal staff who took part are asked two
# questions (overall satisfaction and usefulness, 1–5) and for a comment, for a week; a coordinator may also ask every
# municipal member of the programme at the end of a fiscal year. reports.surveys finds what needs a survey (beat), so
# the features never call reports. A request's survey is its answer rating (Consultation.satisfaction) when the
# requester gave one on accepting the answer: such a request is never surveyed again, and figures count it once.

SATISFIED_SCORES = (4, 5)  # "satisfied": 4 or 5 of 5


class SurveyKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    EVENT = "event", _("Event")
    REQUEST = "request", _("Request")
    YEAR_END = "year_end", _("Year-end survey")


def _scale_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(name=name, condition=models.Q(**{f"{field}__gte": 1, f"{field}__lte": 5}))


class Survey(models.Model):
    """One survey of one subject (a visit, an event, a request) or the programme's year-end survey; open from
    `opens_at` until `closes_at` (a week for a subject, the coordinator's choice for the year end)."""

    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=12, choices=SurveyKind.choices)
    trip = models.ForeignKey(
        "visits.Trip", verbose_name=_("visit"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "visits.Event", verbose_name=_("event"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    title = models.CharField(pgettext_lazy("survey", "title"), max_length=200)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["trip"], name="one_survey_per_visit"),
            models.UniqueConstraint(fields=["event"], name="one_survey_per_event"),
            models.UniqueConstraint(fields=["consultation"], name="one_survey_per_request"),
            models.UniqueConstraint(
                fields=["programme", "fiscal_year"],
                condition=models.Q(kind=SurveyKind.YEAR_END),
                name="one_year_end_survey_per_year",
            ),
            models.CheckConstraint(
                name="survey_subject_matches_kind",
                condition=(
                    models.Q(kind=SurveyKind.VISIT, trip__isnull=False, event__isnull=True, consultation__isnull=True)
                    | models.Q(kind=SurveyKind.EVENT, trip__isnull=True, event__isnull=False, consultation__isnull=True)
                    | models.Q(
                        kind=SurveyKind.REQUEST, trip__isnull=True, event__isnull=True, consultation__isnull=False
                    )
                    | models.Q(
                        kind=SurveyKind.YEAR_END, trip__isnull=True, event__isnull=True, consultation__isnull=True
                    )
                ),
            ),
            models.CheckConstraint(
                name="survey_closes_after_it_opens", condition=models.Q(closes_at__gt=models.F("opens_at"))
            ),
        ]
        indexes = [
            # The coordinators' list of a year, newest first (keyset paging), and the figures by kind.
            models.Index(fields=["programme", "fiscal_year", "-opens_at", "-id"], name="survey_programme_year_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("reports:survey", kwargs={"pk": self.pk})

    def is_open(self, now) -> bool:
        return self.opens_at <= now < self.closes_at


class SurveyInvitation(models.Model):
    """Somebody who took part and so may answer: the survey's list of who was asked (the response rate's base)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey(
        "municipalities.LocalGovernment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="one_invitation_per_person")]
        indexes = [models.Index(fields=["user", "survey"], name="survey_invitation_user_idx")]

    def __str__(self):
        return f"{self.user_id} → {self.survey_id}"


class SurveyAnswer(models.Model):
    """One person's answer to one survey; they may change it until the survey closes."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    overall = models.PositiveSmallIntegerField(
        _("overall satisfaction"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("answered at"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "respondent"], name="one_survey_answer_per_person"),
            _scale_check("overall", "survey_overall_between_1_and_5"),
            _scale_check("usefulness", "survey_usefulness_between_1_and_5"),
        ]

    def __str__(self):
        return f"{self.respondent_id} @ {self.survey_id}: {self.overall}/{self.usefulness}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_path(job, filename: str) -> str:
    return f"exports/{job.user_id}/{job.pk or 'new'}-{filename}"


class ExportJob(models.Model):
    """A list too long to write as .xlsx while the person waits: a worker writes it, the person is e-mailed a link,
    and the file waits on their Exports page. Only its owner downloads it."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("list"), max_length=16)
    params = models.TextField(_("filters"), blank=True, help_text=_("The query string of the page it came from."))
    status = models.CharField(_("status"), max_length=12, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    file = models.FileField(_("file"), upload_to=export_path, blank=True, max_length=300)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("ready at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user_idx")]

    def __str__(self):
        return f"{self.kind} for {self.user_id} ({self.status})"
