"""Partners, 地域活性化起業人 agreements, needs and introductions (ネットワークマッチング).

A *partner* (a company, outside talent, or staff seconded under the 地域活性化起業人 scheme) is kept by one programme;
a public partner is listed to every programme, a programme-only one is invisible outside its programme (404).
Domains, skills and regions sit in small tables with an index that leads with what a filter asks for, so that the
directory's filters read an index, not the whole table. An *agreement* records a secondment to one member
municipality: its term (6 to 36 months, counted as the Civil Code counts months) and its yearly cost against the
scheme's cap. A *need* is posted by municipal staff or a specialist; the portal proposes partners
(`selectors.proposals_for`) and the centre records *introductions* and their outcome.
"""

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from specialists.enums import Domain

__all__ = [
    "MAX_TERM_MONTHS",
    "MIN_TERM_MONTHS",
    "YEARLY_COST_CAP",
    "Agreement",
    "AgreementStatus",
    "Introduction",
    "Need",
    "NeedStatus",
    "Outcome",
    "Partner",
    "PartnerDomain",
    "PartnerKind",
    "Skill",
    "Visibility",
]

# 地域活性化起業人（企業人材派遣制度）: the special local allocation tax covers a seconded person's costs up to
# 5.6 million yen a year (総務省, from FY2024; it was 5.6 million for years before that too). An agreement above it
# is refused: the municipality would pay the excess alone, which the programme does not record as a secondment.
YEARLY_COST_CAP = 5_600_000
# The scheme's term: at least six months and at most three years.
MIN_TERM_MONTHS = 6
MAX_TERM_MONTHS = 36
# An agreement ending within this many days is flagged (a badge, and the centre's "ending soon" list).
ENDING_SOON_DAYS = 90


class PartnerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    TALENT = "talent", _("Outside talent")
    SECONDED = "seconded", _("Seconded staff (地域活性化起業人)")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: listed to every programme")
    PROGRAMME = "programme", _("Programme only")


class AgreementStatus(models.TextChoices):
    AGREED = "agreed", _("In force")
    ENDED_EARLY = "ended_early", _("Ended early")


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need", "Open")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", pgettext_lazy("need", "Closed")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    MEETING = "meeting", _("Meeting held")
    AGREED = "agreed", _("Agreed to work together")
    DECLINED = "declined", _("Declined")


ACTIVE = models.Q(active=True)


class Skill(models.Model):
    """A skill keyword on partners and needs; `key` is its normalised form (dxshare.textsearch.normalise), so
    「ＲＰＡ」 and 「rpa」 are one skill."""

    name = models.CharField(_("name"), max_length=30)
    key = models.CharField(_("key"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["key"]

    def __str__(self):
        return self.name


class Partner(models.Model):
    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=120)
    organisation = models.CharField(
        _("company or organisation"),
        max_length=120,
        blank=True,
        help_text=_("For outside talent or seconded staff: the company they come from."),
    )
    description = models.TextField(_("description"), blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="partners")
    regions = models.ManyToManyField("municipalities.Region", verbose_name=_("regions"), blank=True, related_name="+")
    # No regions: the partner works anywhere (kept as a column so that the region filter reads an index).
    anywhere = models.BooleanField(_("anywhere in the prefecture"), default=True)
    contact_name = models.CharField(_("contact person"), max_length=80, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PROGRAMME
    )
    active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name", "id"]
        # The directory: a programme's own partners and the public ones, by name (the bigram index on search_text:
        # migration 0002, PostgreSQL).
        indexes = [
            models.Index(fields=["programme", "name", "id"], condition=ACTIVE, name="partner_prog_name_idx"),
            models.Index(
                fields=["name", "id"],
                condition=ACTIVE & models.Q(visibility=Visibility.PUBLIC),
                name="partner_public_name_idx",
            ),
            models.Index(fields=["name", "id"], condition=ACTIVE, name="partner_name_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("knowledge:partner_detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class PartnerDomain(models.Model):
    """One of the five domains a partner works in; the index leads with the domain (the directory's filter)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="domain_rows")
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)

    class Meta:
        verbose_name = _("partner domain")
        verbose_name_plural = _("partner domains")
        constraints = [models.UniqueConstraint(fields=["domain", "partner"], name="unique_partner_domain")]

    def __str__(self):
        return self.get_domain_display()


def add_months(day: dt.date, months: int) -> tuple[dt.date, bool]:
    """The day `months` months after `day` (its 応当日), and whether that month has it; if not, the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last)), day.day <= last


def term_end(start: dt.date, months: int) -> dt.date:
    """The last day of a term of `months` months beginning on `start` (民法143条): the day before the corresponding
    day of the last month, or that month's last day when it has no corresponding day (a term from 31 August for six
    months ends on the last day of February)."""
    corresponding, exists = add_months(start, months)
    return corresponding - dt.timedelta(days=1) if exists else corresponding


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole months a term from `start` to `end` (both included) lasts."""
    months = max(0, (end.year - start.year) * 12 + end.month - start.month - 1)
    while term_end(start, months + 1) <= end:
        months += 1
    return months


class Agreement(models.Model):
    """A 地域活性化起業人 agreement: the partner's staff seconded to one member municipality of the programme."""

    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="agreements")
    municipality = models.ForeignKey(
        "municipalities.LocalGovernment", verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("signed on"))
    purpose = models.CharField(_("purpose"), max_length=200)
    scope = models.TextField(_("scope of work"), blank=True)
    starts_on = models.DateField(_("term starts on"))
    ends_on = models.DateField(_("term ends on"))
    yearly_cost = models.PositiveIntegerField(_("yearly cost (yen)"))
    status = models.CharField(
        _("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.AGREED
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="agreement_ends_after_start", condition=models.Q(ends_on__gt=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="agreement_cost_within_cap",
                condition=models.Q(yearly_cost__gte=0, yearly_cost__lte=YEARLY_COST_CAP),
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "status", "ends_on"], name="agreement_ending_idx"),
            models.Index(fields=["partner", "-starts_on"], name="agreement_partner_idx"),
        ]

    def __str__(self):
        return f"{self.partner} / {self.municipality}"

    def get_absolute_url(self):
        return reverse("knowledge:agreement_detail", kwargs={"pk": self.pk})

    @property
    def term_months(self) -> int:
        return whole_months(self.starts_on, self.ends_on)

    def days_left(self, today: dt.date) -> int:
        return (self.ends_on - today).days

    def ends_soon(self, today: dt.date) -> bool:
        """In force and ending within ENDING_SOON_DAYS days (the warning)."""
        return self.status == AgreementStatus.AGREED and 0 <= (self.ends_on - today).days <= ENDING_SOON_DAYS

    def has_ended(self, today: dt.date) -> bool:
        return self.status == AgreementStatus.ENDED_EARLY or self.ends_on < today

    # For the templates: the same, as of today in Asia/Tokyo.
    @property
    def ending_soon(self) -> bool:
        return self.ends_soon(timezone.localdate())

    @property
    def days_to_end(self) -> int:
        return self.days_left(timezone.localdate())

    @property
    def phase(self) -> str:
        """ "ended_early", "over", "future", "ending" (within ENDING_SOON_DAYS) or "current"."""
        today = timezone.localdate()
        if self.status == AgreementStatus.ENDED_EARLY:
            return "ended_early"
        if self.ends_on < today:
            return "over"
        if self.starts_on > today:
            return "future"
        return "ending" if self.ends_soon(today) else "current"


class Need(models.Model):
    """ "We need someone who can …": posted by municipal staff (for their municipality) or a specialist."""

    programme = models.ForeignKey(
        "municipalities.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    posted_by = models.ForeignKey(
        "accounts.User", verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    municipality = models.ForeignKey(
        "municipalities.LocalGovernment",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills wanted"), blank=True, related_name="needs")
    region = models.ForeignKey(
        "municipalities.Region", verbose_name=_("region"), on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["programme", "-created_at", "-id"], name="need_prog_newest_idx"),
            models.Index(fields=["municipality", "-created_at", "-id"], name="need_muni_newest_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:need_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == NeedStatus.OPEN


class Introduction(models.Model):
    """The centre introduced a partner for a need; the outcome is updated later."""

    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="introductions")
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    introduced_by = models.ForeignKey(
        "accounts.User", verbose_name=_("introduced by"), on_delete=models.PROTECT, related_name="+"
    )
    introduced_on = models.DateField(_("introduced on"))
    note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.TextField(_("about the outcome"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["introduced_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "partner"],
                name="unique_need_partner",
                violation_error_message=_("This partner has already been introduced for this need."),
            )
        ]

    def __str__(self):
        return f"{self.need} → {self.partner}"
