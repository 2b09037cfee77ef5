from django.contrib.auth.forms import SetPasswordForm


class AcceptInvitationForm(SetPasswordForm):
    """Django's set-password form: two password fields checked by AUTH_PASSWORD_VALIDATORS."""
