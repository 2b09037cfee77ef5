from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scope
from accounts.models import Invitation
from accounts.services import invitation_resend
from dxshare.forms import add_validation_errors
from specialists import selectors, services
from specialists.forms import InvitationForm, ProfileForm
from specialists.models import Specialist


@login_required
def specialist_list(request):
    today = timezone.localdate()
    specialists = (
        selectors.specialists_visible_to(request.user)
        .active_on(today)
        .order_by("user__programme_id", "domain", "user__full_name")
    )
    return render(request, "specialists/specialist_list.html", {"specialists": specialists})


@login_required
def specialist_detail(request, pk):
    specialist = get_object_or_404(selectors.specialists_visible_to(request.user), pk=pk)
    return render(request, "specialists/specialist_detail.html", {"specialist": specialist})


@login_required
def profile_edit(request):
    """A specialist's own profile, edited without the admin site."""
    specialist = Specialist.objects.filter(user=request.user).select_related("user").first()
    if specialist is None:
        raise PermissionDenied
    form = ProfileForm(request.POST or None, instance=specialist)
    if request.method == "POST" and form.is_valid():
        try:
            services.specialist_update_profile(specialist=specialist, by=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect(specialist)
    return render(request, "specialists/profile_edit.html", {"form": form, "specialist": specialist})


def _require_inviter(user):
    if not scope.can_invite(user):
        raise PermissionDenied


@login_required
def people_list(request):
    _require_inviter(request.user)
    return render(request, "specialists/people_list.html", {"people": selectors.people_visible_to(request.user)})


@login_required
def person_invite(request):
    _require_inviter(request.user)
    programme = request.user.programme
    if programme is None:  # a site administrator: invite from the admin site, where the programme is chosen
        messages.info(request, _("Site administrators create accounts in the admin site."))
        return redirect("admin:accounts_user_add")
    form = InvitationForm(request.POST or None, roles=scope.invitable_roles(request.user), programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.person_invite(invited_by=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("specialists:people")
    return render(request, "specialists/person_invite.html", {"form": form})


@login_required
@require_POST
def invitation_resend_view(request, pk):
    _require_inviter(request.user)
    invitation = get_object_or_404(
        scope.scope_queryset(Invitation.objects.select_related("user"), request.user, programme="user__programme"),
        pk=pk,
    )
    try:
        invitation_resend(invitation=invitation, sent_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": invitation.user.email})
    return redirect("specialists:people")
