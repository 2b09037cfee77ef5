from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class PreferencesForm(forms.Form):
    """How a person wants to receive e-mails. Validation only: notification_preference_set saves the choice.

    The field is the User model's own (label, choices, required), but the form is not a ModelForm: a ModelForm runs
    User.clean(), which re-validates role, programme and organisation, fields this page neither shows nor changes.
    """

    email_delivery = User._meta.get_field("email_delivery").formfield(
        label=_("How should dxshare e-mail you?"), widget=forms.RadioSelect
    )
