from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services
from accounts.adapters import remember_language
from accounts.enums import Language
from accounts.forms import AcceptInvitationForm
from accounts.models import User


def _invited_user(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None


def accept_invitation(request, uidb64, token):
    user = _invited_user(uidb64, token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_accept(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="accounts.backends.ModelBackend")
        translation.activate(user.language)
        messages.success(request, _("Welcome! Your password is set and you are signed in."))
        return remember_language(redirect("home"), user.language)
    return render(request, "accounts/accept_invitation.html", {"form": form, "invited_user": user})


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account too (e-mails use it)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in Language.values and request.user.language != language:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
