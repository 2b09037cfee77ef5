from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dxshare.history import tracked
from municipalities.enums import CommunityRule, Kind, TargetMetric
from municipalities.validators import validate_local_government_code


def localised(japanese: str, english: str) -> str:
    """The English name on English pages when there is one; the Japanese name otherwise."""
    return english if english and get_language() == "en" else japanese


class LocalGovernmentQuerySet(models.QuerySet):
    def prefectures(self):
        return self.filter(kind=Kind.PREFECTURE)

    def municipalities(self):
        return self.exclude(kind=Kind.PREFECTURE)


class LocalGovernment(models.Model):
    """A prefecture or a municipality (city, town, village, Tokyo special ward), keyed by its JIS X 0402 code."""

    code = models.CharField(
        _("local government code"),
        max_length=6,
        unique=True,
        validators=[validate_local_government_code],
        error_messages={"unique": _("A local government with this code already exists.")},
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    prefecture = models.ForeignKey(
        "self",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        limit_choices_to={"kind": Kind.PREFECTURE},
    )
    name = models.CharField(_("name"), max_length=40)
    name_kana = models.CharField(_("reading"), max_length=80, blank=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    region = models.ForeignKey(
        "municipalities.Region", verbose_name=_("region"), on_delete=models.SET_NULL, null=True, blank=True
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    objects = LocalGovernmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("local government")
        verbose_name_plural = _("local governments")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="prefecture_has_no_parent_municipality_has_one",
                condition=(models.Q(kind=Kind.PREFECTURE, prefecture__isnull=True))
                | (~models.Q(kind=Kind.PREFECTURE) & models.Q(prefecture__isnull=False)),
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("municipalities:detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    @property
    def is_prefecture(self) -> bool:
        return self.kind == Kind.PREFECTURE

    def clean(self):
        if self.kind == Kind.PREFECTURE and self.prefecture_id:
            raise ValidationError({"prefecture": _("A prefecture does not belong to another prefecture.")})
        if self.kind and self.kind != Kind.PREFECTURE and not self.prefecture_id:
            raise ValidationError({"prefecture": _("Choose the prefecture this municipality belongs to.")})


class Region(models.Model):
    """A region within a prefecture, e.g. Ehime's 東予 (Toyo), 中予 (Chuyo) and 南予 (Nanyo)."""

    prefecture = models.ForeignKey(
        LocalGovernment,
        verbose_name=_("prefecture"),
        on_delete=models.CASCADE,
        related_name="regions",
        limit_choices_to={"kind": Kind.PREFECTURE},
    )
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["prefecture__code", "id"]
        constraints = [models.UniqueConstraint(fields=["prefecture", "name"], name="unique_region_name")]

    def __str__(self):
        return localised(self.name, self.name_en)


@tracked("ProgrammeHistory")
class Programme(models.Model):
    """One prefecture's sharing scheme: its council, its support centre, member municipalities and targets."""

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    centre_name = models.CharField(_("support centre"), max_length=120)
    centre_name_en = models.CharField(_("support centre (English)"), max_length=120, blank=True)
    # How municipal staff reach the support centre (shown after filing a request and on the programme's page).
    centre_phone = models.CharField(_("support centre phone"), max_length=32, blank=True)
    centre_email = models.EmailField(_("support centre e-mail"), blank=True)
    centre_hours = models.CharField(
        _("support centre hours"), max_length=120, blank=True, help_text=_("e.g. 平日 9:00–17:00")
    )
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,5}$", _("Use two to five capital letters, e.g. EH."))],
        help_text=_("Starts every consultation reference number, e.g. EH-2026-0042."),
    )
    prefecture = models.ForeignKey(
        LocalGovernment,
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        related_name="programmes",
        limit_choices_to={"kind": Kind.PREFECTURE},
    )
    members = models.ManyToManyField(
        LocalGovernment,
        verbose_name=_("member municipalities"),
        through="Membership",
        related_name="member_of",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["prefecture__code", "slug"]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("municipalities:programme", kwargs={"slug": self.slug})

    @property
    def has_centre_contact(self) -> bool:
        return bool(self.centre_phone or self.centre_email)

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    @property
    def display_centre_name(self) -> str:
        return localised(self.centre_name, self.centre_name_en)


@tracked("MembershipHistory")
class Membership(models.Model):
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE)
    municipality = models.ForeignKey(
        LocalGovernment,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        limit_choices_to=~models.Q(kind=Kind.PREFECTURE),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member municipality")
        verbose_name_plural = _("member municipalities")
        ordering = ["municipality__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "municipality"],
                name="unique_programme_member",
                violation_error_message=_("This municipality is already a member of the programme."),
            )
        ]

    def __str__(self):
        return f"{self.programme} / {self.municipality}"

    def clean(self):
        municipality = getattr(self, "municipality", None)
        programme = getattr(self, "programme", None)
        if municipality is None or programme is None:
            return
        if municipality.is_prefecture:
            raise ValidationError({"municipality": _("A prefecture cannot be a member municipality.")})
        if municipality.prefecture_id != programme.prefecture_id:
            raise ValidationError(
                {
                    "municipality": _("Only municipalities of %(prefecture)s can join this programme.")
                    % {"prefecture": programme.prefecture}
                }
            )


class ProgrammeTarget(models.Model):
    """A business-plan target for one fiscal year, e.g. 100 on-site visits in FY2022."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="targets"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    metric = models.CharField(_("metric"), max_length=32, choices=TargetMetric.choices)
    value = models.PositiveIntegerField(_("target"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["programme", "-fiscal_year", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "fiscal_year", "metric"],
                name="unique_programme_target",
                violation_error_message=_("This programme already has a target for that metric and year."),
            )
        ]

    def __str__(self):
        return f"{self.programme} FY{self.fiscal_year} {self.get_metric_display()}: {self.value}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ReminderPolicy(models.Model):
    """When the portal reminds people of a request that waits, and when the coordinators' weekly digest goes out.

    One per programme, set by its coordinators in the portal; a programme without a row uses the defaults.
    Business hours and days leave out weekends, national holidays and 29 December–3 January (dxshare.business_days).
    """

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="reminder_policy")
    unrouted_hours = models.PositiveSmallIntegerField(
        _("Not routed after (business hours)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("The coordinators are reminded of a request nobody has routed after this many office hours."),
    )
    first_answer_days = models.PositiveSmallIntegerField(
        _("No first answer after (business days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "The specialist is reminded after this many business days without a first answer; the coordinators after "
            "twice as many."
        ),
    )
    waiting_days = models.PositiveSmallIntegerField(
        _("Waiting for the municipality (business days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("The requester is reminded of a question waiting for their answer after this many business days."),
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("Close answered requests after (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("An answered request with no response from the municipality closes after this many days."),
    )
    weekly_digest_weekday = models.PositiveSmallIntegerField(
        _("Weekly digest: day"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    weekly_digest_hour = models.PositiveSmallIntegerField(
        _("Weekly digest: hour"),
        default=8,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text=_("0–23, Japan time."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        constraints = [
            models.CheckConstraint(name="policy_hour_of_day", condition=models.Q(weekly_digest_hour__lte=23)),
            models.CheckConstraint(name="policy_weekday", condition=models.Q(weekly_digest_weekday__lte=6)),
        ]

    def __str__(self):
        return f"{self.programme}: reminders"


class Community(models.Model):
    """A group of a programme's member municipalities that share news and events (e.g. 南予の町, towns under 50,000
    people). Its members follow from its rule: a region, a population limit, or municipalities chosen by hand
    (`municipalities.communities.members_of`)."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="communities"
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    rule = models.CharField(_("members"), max_length=12, choices=CommunityRule.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True)
    population_below = models.PositiveIntegerField(_("population below"), null=True, blank=True)
    chosen = models.ManyToManyField(
        LocalGovernment, verbose_name=_("chosen municipalities"), blank=True, related_name="chosen_communities"
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["programme", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="unique_community_name",
                violation_error_message=_("The programme already has a community of this name."),
            ),
            models.CheckConstraint(
                name="community_rule_has_its_value",
                condition=(
                    models.Q(rule=CommunityRule.REGION, region__isnull=False)
                    | models.Q(rule=CommunityRule.POPULATION, population_below__gt=0)
                    | models.Q(rule=CommunityRule.CHOSEN)
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipalities:community", kwargs={"pk": self.pk})


class Announcement(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="announcements")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    posted_by = models.ForeignKey(
        "accounts.User", verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["community", "-posted_at", "-id"], name="announcement_newest_idx")]

    def __str__(self):
        return self.title
