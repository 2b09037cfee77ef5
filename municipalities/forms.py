from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from dxshare.forms import SpecificErrorsMixin
from municipalities.enums import CommunityRule, TargetMetric
from municipalities.models import Programme, ReminderPolicy


class CentreContactForm(SpecificErrorsMixin, forms.ModelForm):
    """How municipal staff reach the support centre: shown after they file a request and on the programme's page."""

    field_messages = {"centre_email": {"invalid": _("Enter an e-mail address such as dx-center@pref.example.lg.jp.")}}

    class Meta:
        model = Programme
        fields = ["centre_phone", "centre_email", "centre_hours"]
        labels = {
            "centre_phone": _("Phone number"),
            "centre_email": _("E-mail address"),
            "centre_hours": _("Opening hours"),
        }
        help_texts = {
            "centre_phone": _("e.g. 089-912-0000"),
            "centre_hours": _("e.g. 平日 9:00–17:00（年末年始を除く）"),
        }

    def clean_centre_phone(self):
        phone = self.cleaned_data["centre_phone"].strip()
        if phone and not all(char.isdigit() or char in "-()+ " for char in phone):
            raise forms.ValidationError(_("Enter the phone number with digits and hyphens, e.g. 089-912-0000."))
        return phone


def _bounded(name: str) -> forms.IntegerField:
    """A whole number within the model field's own bounds, said in the form and in the browser (min, max)."""
    field = ReminderPolicy._meta.get_field(name)
    lowest = max(v.limit_value for v in field.validators if isinstance(v, MinValueValidator))
    highest = min(v.limit_value for v in field.validators if isinstance(v, MaxValueValidator))
    return forms.IntegerField(
        label=field.verbose_name,
        help_text=field.help_text,
        min_value=lowest,
        max_value=highest,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ReminderPolicyForm(SpecificErrorsMixin, forms.ModelForm):
    """A programme's reminder thresholds and weekly digest time. Validation only: reminder_policy_update saves."""

    unrouted_hours = _bounded("unrouted_hours")
    first_answer_days = _bounded("first_answer_days")
    waiting_days = _bounded("waiting_days")
    auto_close_days = _bounded("auto_close_days")
    weekly_digest_hour = _bounded("weekly_digest_hour")

    class Meta:
        model = ReminderPolicy
        fields = [
            "unrouted_hours",
            "first_answer_days",
            "waiting_days",
            "auto_close_days",
            "weekly_digest_weekday",
            "weekly_digest_hour",
        ]


class TargetsForm(SpecificErrorsMixin, forms.Form):
    """A fiscal year's targets, one whole number per metric; empty: no target. Validation only: targets_set saves."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for metric, label in TargetMetric.choices:
            highest = 100 if metric == TargetMetric.SATISFACTION else 100_000
            self.fields[metric] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=highest,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"invalid": _("Enter a whole number, or leave it empty for no target.")},
            )
        # SpecificErrorsMixin set its messages before these fields existed; nothing here is required.


class CommunityForm(SpecificErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("e.g. 「南予の町」 or 「人口5万人未満の市町」."))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    rule = forms.ChoiceField(label=_("Who belongs"), choices=CommunityRule.choices, widget=forms.RadioSelect)
    region = forms.TypedChoiceField(label=_("Region"), coerce=int, required=False, empty_value=None)
    population_below = forms.IntegerField(
        label=_("Population below"), required=False, min_value=1, max_value=100_000_000
    )
    chosen = forms.TypedMultipleChoiceField(
        label=_("Chosen municipalities"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    field_messages = {
        "population_below": {
            "min_value": _("Enter the population limit as a positive whole number."),
            "invalid": _("Enter the population limit as a whole number, e.g. 50000."),
        },
        "rule": {"invalid_choice": _("Choose who belongs to the community.")},
    }

    def __init__(self, *args, regions, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Choose…")), *regions]
        self.fields["chosen"].choices = municipalities


class AnnouncementForm(SpecificErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
