from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _


class AcceptInvitationForm(SetPasswordForm):
    """Django's set-password form: two password fields checked by AUTH_PASSWORD_VALIDATORS."""


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the person asked and how you made sure it was them (e.g. a call back to their desk)."),
    )
