import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dxshare.history import tracked
from specialists.enums import Domain


class SpecialistQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        return self.filter(models.Q(active_until__isnull=True) | models.Q(active_until__gte=day), active_from__lte=day)


@tracked("SpecialistHistory")
class Specialist(models.Model):
    """A DX specialist's profile. The person's programme is their account's (User.programme)."""

    user = models.OneToOneField(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="specialist"
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices, db_index=True)
    title = models.CharField(_("title"), max_length=120, blank=True, help_text=_("e.g. DX推進専門官"))
    profile = models.TextField(_("profile"), blank=True, help_text=_("Background and experience."))
    ask_me_about = models.TextField(
        _("what to ask me about"),
        blank=True,
        help_text=_("The questions this specialist helps with best, in their own words."),
    )
    active_from = models.DateField(_("active from"))
    active_until = models.DateField(_("active until"), null=True, blank=True)

    objects = SpecialistQuerySet.as_manager()

    class Meta:
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")
        ordering = ["domain", "user__full_name"]
        constraints = [
            models.CheckConstraint(
                name="specialist_period_in_order",
                condition=models.Q(active_until__isnull=True) | models.Q(active_until__gte=models.F("active_from")),
                violation_error_message=_("The end of the active period cannot come before its start."),
            )
        ]

    def __str__(self):
        return f"{self.user.full_name} ({self.get_domain_display()})"

    def get_absolute_url(self):
        return reverse("specialists:detail", kwargs={"pk": self.pk})

    def is_active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_until is None or self.active_until >= day)
