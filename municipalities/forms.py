from django import forms
from django.utils.translation import gettext_lazy as _

from dxshare.forms import SpecificErrorsMixin
from municipalities.models import Programme


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
