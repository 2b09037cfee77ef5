from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import invitations, scope, services, two_factor
from accounts.adapters import remember_language
from accounts.enums import Language
from accounts.forms import AcceptInvitationForm, TwoFactorResetForm
from accounts.models import User


def invitation(request, token):
    """The link from the e-mail: its token goes into the session and the browser moves on to an address without it."""
    found, problem = invitations.invitation_from(token)
    if found is None:
        return _invitation_refused(request, problem)
    request.session[invitations.SESSION_KEY] = token
    return redirect("accounts:accept_invitation")


def accept_invitation(request):
    token = request.session.get(invitations.SESSION_KEY, "")
    found, problem = invitations.invitation_from(token) if token else (None, invitations.INVALID)
    if found is None:
        request.session.pop(invitations.SESSION_KEY, None)
        return _invitation_refused(request, problem)
    user = found.user
    form = AcceptInvitationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=found, password=form.cleaned_data["new_password1"])
        except ValidationError:
            return _invitation_refused(request, invitations.USED)
        request.session.pop(invitations.SESSION_KEY, None)
        login(request, user, backend="accounts.backends.ModelBackend")
        translation.activate(user.language)
        messages.success(request, _("Welcome! Your password is set and you are signed in."))
        return remember_language(redirect("home"), user.language)
    return render(request, "accounts/accept_invitation.html", {"form": form, "invited_user": user})


def _invitation_refused(request, problem: str):
    """Why the link does not work and what to do, as a page (410 for a link that worked once, 404 otherwise)."""
    status = 404 if problem == invitations.INVALID else 410
    hours = settings.INVITATION_VALID_SECONDS // 3600
    return render(request, "accounts/invitation_invalid.html", {"problem": problem, "hours": hours}, status=status)


@login_required
def two_factor_required(request):
    """What a second factor is, why the person's role needs one, and the two ways to set it up."""
    from allauth.mfa.models import Authenticator

    kinds = set(Authenticator.objects.filter(user=request.user).values_list("type", flat=True))
    context = {
        "required": two_factor.required_for(request.user),
        "enrolled": bool(kinds & set(two_factor.SECOND_FACTORS)),
        "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in kinds,
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def two_factor_reset(request, pk):
    """A site administrator resets the second factors of someone who lost them, giving a reason (recorded)."""
    if not scope.is_site_admin(request.user):
        raise PermissionDenied
    person = get_object_or_404(User, pk=pk)
    form = TwoFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        removed = two_factor.two_factor_reset(
            user=person, by=request.user, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(
            request,
            _("Two-step sign-in of %(name)s was reset (%(count)s factors removed).")
            % {"name": person.get_full_name(), "count": removed},
        )
        return redirect("accounts:two_factor_reset", pk=person.pk)
    from allauth.mfa.models import Authenticator

    factors = Authenticator.objects.filter(user=person).order_by("type")
    return render(
        request,
        "accounts/two_factor_reset.html",
        {"form": form, "person": person, "factors": factors},
        status=400 if form.errors else 200,
    )


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account too (e-mails use it)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in Language.values and request.user.language != language:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
