"""What the centre's figures are read from.

- `BusinessDay`: one row per calendar day with the running count of business days up to it, so that the database
  itself measures waits in business days (weekends, national holidays and 29 December–3 January left out) and
  takes medians and percentiles over them.
- `Snapshot`: a programme's figures for one fiscal year, computed by the database in one go (reports.figures) and
  kept, so that the dashboard costs one row whatever the programme holds; refreshed every few minutes by beat and on
  request, and the page says how fresh it is.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("figures")
        verbose_name_plural = _("figures")
        constraints = [models.UniqueConstraint(fields=["programme", "fiscal_year"], name="snapshot_once")]

    def __str__(self):
        return f"{self.programme_id} FY{self.fiscal_year} @ {self.computed_at:%Y-%m-%d %H:%M}"
