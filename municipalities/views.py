from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import scope
from dxshare.fiscal import current_fiscal_year
from dxshare.forms import add_validation_errors
from municipalities import selectors, services
from municipalities.forms import CentreContactForm, ReminderPolicyForm, TargetsForm


@login_required
def programme_list(request):
    if not scope.is_site_admin(request.user):
        if request.user.programme_id is None:
            raise PermissionDenied
        return redirect(request.user.programme)
    programmes = selectors.programmes_visible_to(request.user).order_by("prefecture__code")
    return render(request, "municipalities/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request, slug):
    programme = get_object_or_404(selectors.programme_overviews_visible_to(request.user), slug=slug)
    fiscal_year = current_fiscal_year()
    return render(
        request,
        "municipalities/programme_detail.html",
        {
            "programme": programme,
            "fiscal_year": fiscal_year,
            "targets": [t for t in programme.targets.all() if t.fiscal_year == fiscal_year],
            "show_members": not scope.is_municipal(request.user),
            "can_manage": scope.can_manage_programme(request.user, programme),
        },
    )


@login_required
def centre_contact_edit(request, slug):
    """The support centre's phone, e-mail and hours, set by its own coordinators (not only in the admin site)."""
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), slug=slug)
    if not scope.can_manage_programme(request.user, programme):
        raise PermissionDenied
    form = CentreContactForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_set_centre_contact(programme=programme, by=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The support centre's contact details are saved."))
            return redirect(programme)
    return render(request, "municipalities/centre_contact.html", {"form": form, "programme": programme})


@login_required
def reminder_policy_edit(request, slug):
    """When requests that wait are reminded of, and when the weekly digest goes out: set by the programme's centre."""
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), slug=slug)
    if not scope.can_manage_programme(request.user, programme):
        raise PermissionDenied
    form = ReminderPolicyForm(request.POST or None, instance=selectors.reminder_policy_for(programme))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.reminder_policy_update(programme=programme, by=request.user, fields=form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("The reminder settings are saved."))
                return redirect(programme)
        messages.error(request, _("The reminder settings were not changed."))
    return render(request, "municipalities/reminder_policy.html", {"form": form, "programme": programme})


@login_required
def targets_edit(request, slug):
    """A fiscal year's targets (visits, requests, workshops, satisfaction), set by the programme's centre."""
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), slug=slug)
    if not scope.can_manage_programme(request.user, programme):
        raise PermissionDenied
    fiscal_year = current_fiscal_year()
    raw_year = request.GET.get("year") or request.POST.get("year")
    if raw_year:
        try:
            fiscal_year = int(raw_year)
        except ValueError:
            fiscal_year = 0
        if not 2000 <= fiscal_year <= 2100:
            messages.error(request, _("That fiscal year cannot be chosen; here is the current one."))
            return redirect("municipalities:targets", slug=programme.slug)
    current = dict(programme.targets.filter(fiscal_year=fiscal_year).values_list("metric", "value"))
    form = TargetsForm(request.POST or None, initial=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.targets_set(
                    programme=programme, by=request.user, fiscal_year=fiscal_year, values=form.cleaned_data
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("The targets for FY%(year)s are saved.") % {"year": fiscal_year})
                return redirect(f"{request.path}?year={fiscal_year}")
        messages.error(request, _("The targets were not changed."))
    context = {
        "form": form,
        "programme": programme,
        "fiscal_year": fiscal_year,
        "years": [current_fiscal_year() + 1, current_fiscal_year(), current_fiscal_year() - 1],
    }
    return render(request, "municipalities/targets.html", context)


@login_required
def municipality_detail(request, code):
    municipality = get_object_or_404(selectors.member_municipalities_visible_to(request.user), code=code)
    return render(request, "municipalities/municipality_detail.html", {"municipality": municipality})
