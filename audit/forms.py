from django import forms
from django.utils.translation import gettext_lazy as _

from audit.selectors import TRAILS


class AuditFilterForm(forms.Form):
    person = forms.EmailField(label=_("Person (e-mail address)"), required=False, max_length=254)
    trail = forms.ChoiceField(
        label=_("Kind of record"),
        required=False,
        choices=[("", _("All"))] + [(trail.key, trail.label) for trail in TRAILS],
    )
    object_id = forms.IntegerField(label=_("Record number (id)"), required=False, min_value=1, max_value=2**62)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("object_id") and not data.get("trail"):
            self.add_error("trail", _("Choose the kind of record the number belongs to."))
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data


class SignInFilterForm(forms.Form):
    person = forms.EmailField(label=_("Person (e-mail address)"), required=False, max_length=254)
    kind = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from accounts.security_log import Kind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *Kind.choices]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data
