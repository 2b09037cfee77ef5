"""Thin views of the partner directory, agreements and needs: read through selectors, act through one service call.
What a person may not see is a 404; what they may see but not do is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scope
from dxshare.forms import add_validation_errors
from dxshare.kept import address_key, kept_html
from knowledge.partners import kept, selectors, services
from knowledge.partners.forms import (
    AgreementForm,
    DirectoryFilterForm,
    IntroductionForm,
    NeedForm,
    NeedStatusForm,
    OutcomeForm,
    PartnerForm,
)
from knowledge.partners.models import Agreement, Introduction, Need, NeedStatus, Partner

# --- Partners -----------------------------------------------------------------------------------------------------


def _directory_results(request, form, wanted, query: str) -> str:
    """The list part of the directory, as HTML, kept (knowledge.partners.kept): what it lists depends only on the
    reader's programme and class (member, centre, site administrator), the address and the language."""
    user = request.user
    reader = "admin" if scope.is_site_admin(user) else "centre" if scope.is_centre(user) else "member"
    key = (
        f"partners:list:{kept.DIRECTORY.current()}:{user.programme_id}:{reader}:{get_language()}:{address_key(request)}"
    )

    def render():
        page = selectors.directory(user, wanted, cursor=request.GET.get("cursor"))
        html = render_to_string(
            "knowledge/partners/includes/directory_results.html",
            {"form": form, "page": page, "query": query},
            request=request,
        )
        return html, not (page.extra.get("restarted") or page.extra.get("invalid_cursor"))

    return kept_html(key, kept.LIST_SECONDS, render)


@login_required
def partner_list(request):
    user = request.user
    can_see_inactive = scope.is_centre(user) or scope.is_site_admin(user)
    form = DirectoryFilterForm(
        request.GET or None, regions=selectors.region_choices(user), can_see_inactive=can_see_inactive
    )
    wanted = selectors.DirectoryFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        wanted = selectors.DirectoryFilter(
            q=data.get("q") or "",
            domain=data.get("domain") or "",
            kind=data.get("kind") or "",
            skill=data.get("skill") or "",
            region=data.get("region"),
            inactive=bool(data.get("inactive")),
        )
    query = urlencode([(key, value) for key, value in request.GET.items() if key != "cursor" and value])
    return render(
        request,
        "knowledge/partners/partner_list.html",
        {
            "form": form,
            "results": _directory_results(request, form, wanted, query),
            "ending_soon": selectors.ending_soon(user),
            "can_create": user.programme_id is not None and services.can_manage_partners(user, user.programme),
            "can_post_need": services.can_post_need(user),
        },
        status=400 if form.errors else 200,
    )


def _partner_or_404(user, pk) -> Partner:
    try:
        return selectors.partner_visible_to(user, pk)
    except Partner.DoesNotExist as missing:
        raise Http404 from missing


def _agreement_programme(user, partner: Partner):
    """Where the user would record an agreement on this partner: their programme (a site admin: the partner's)."""
    programme = partner.programme if scope.is_site_admin(user) else user.programme
    return programme if programme is not None and services.can_manage_partners(user, programme) else None


@login_required
def partner_detail(request, pk):
    user = request.user
    partner = _partner_or_404(user, pk)
    return render(
        request,
        "knowledge/partners/partner_detail.html",
        {
            "partner": partner,
            "agreements": selectors.partner_agreements(user, partner),
            "can_edit": services.can_edit_partner(user, partner),
            "can_add_agreement": _agreement_programme(user, partner) is not None,
            "today": timezone.localdate(),
        },
    )


def _partner_arguments(form) -> tuple[dict, list, list, list]:
    data = form.cleaned_data
    fields = {key: data[key] for key in services.PARTNER_FIELDS if key in data}
    regions = selectors.regions_by_id(data.get("regions") or [])
    return fields, data["domains"], data["skills"], regions


@login_required
def partner_create(request):
    user = request.user
    programme = selectors.programme_for_new_partner(user, request.GET.get("programme") or request.POST.get("programme"))
    if programme is None or not services.can_manage_partners(user, programme):
        raise PermissionDenied
    form = PartnerForm(request.POST or None, regions=selectors.prefecture_regions(programme))
    if request.method == "POST" and form.is_valid():
        fields, domains, skills, regions = _partner_arguments(form)
        try:
            partner = services.partner_create(
                by=user, programme=programme, fields=fields, domains=domains, skills=skills, regions=regions
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The partner is added to the directory."))
            return redirect(partner)
    return render(
        request,
        "knowledge/partners/partner_form.html",
        {"form": form, "partner": None, "programme": programme},
        status=400 if form.errors else 200,
    )


@login_required
def partner_edit(request, pk):
    user = request.user
    partner = _partner_or_404(user, pk)
    if not services.can_edit_partner(user, partner):
        raise PermissionDenied
    initial = {
        "kind": partner.kind,
        "name": partner.name,
        "organisation": partner.organisation,
        "description": partner.description,
        "domains": [row.domain for row in partner.domain_rows.all()],
        "skills": [skill.name for skill in partner.skills.all()],
        "regions": [region.pk for region in partner.regions.all()],
        "contact_name": partner.contact_name,
        "contact_email": partner.contact_email,
        "contact_phone": partner.contact_phone,
        "visibility": partner.visibility,
        "active": partner.active,
    }
    form = PartnerForm(request.POST or None, initial=initial, regions=selectors.prefecture_regions(partner.programme))
    if request.method == "POST" and form.is_valid():
        fields, domains, skills, regions = _partner_arguments(form)
        try:
            partner = services.partner_update(
                by=user, partner=partner, fields=fields, domains=domains, skills=skills, regions=regions
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The partner is saved."))
            return redirect(partner)
    return render(
        request,
        "knowledge/partners/partner_form.html",
        {"form": form, "partner": partner, "programme": partner.programme},
        status=400 if form.errors else 200,
    )


# --- Agreements ---------------------------------------------------------------------------------------------------


def _agreement_fields(form) -> tuple[dict, int]:
    data = dict(form.cleaned_data)
    return {key: data[key] for key in services.AGREEMENT_FIELDS if key in data}, data["municipality"]


@login_required
def agreement_create(request, pk):
    user = request.user
    partner = _partner_or_404(user, pk)
    programme = _agreement_programme(user, partner)
    if programme is None:
        raise PermissionDenied
    form = AgreementForm(request.POST or None, municipalities=selectors.member_choices(programme))
    if request.method == "POST" and form.is_valid():
        fields, municipality_pk = _agreement_fields(form)
        try:
            agreement = services.agreement_create(
                by=user,
                programme=programme,
                partner=partner,
                municipality=selectors.member(programme, municipality_pk),
                fields=fields,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The agreement is recorded."))
            return redirect(agreement)
    return render(
        request,
        "knowledge/partners/agreement_form.html",
        {"form": form, "partner": partner, "agreement": None},
        status=400 if form.errors else 200,
    )


def _agreement_or_404(user, pk) -> Agreement:
    try:
        return selectors.agreement_visible_to(user, pk)
    except Agreement.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def agreement_detail(request, pk):
    user = request.user
    agreement = _agreement_or_404(user, pk)
    return render(
        request,
        "knowledge/partners/agreement_detail.html",
        {
            "agreement": agreement,
            "partner": agreement.partner,
            "can_edit": services.can_manage_partners(user, agreement.programme),
            "today": timezone.localdate(),
        },
    )


@login_required
def agreement_edit(request, pk):
    user = request.user
    agreement = _agreement_or_404(user, pk)
    if not services.can_manage_partners(user, agreement.programme):
        raise PermissionDenied
    initial = {
        "municipality": agreement.municipality_id,
        **{key: getattr(agreement, key) for key in services.AGREEMENT_FIELDS},
    }
    form = AgreementForm(
        request.POST or None, initial=initial, municipalities=selectors.member_choices(agreement.programme)
    )
    if request.method == "POST" and form.is_valid():
        fields, municipality_pk = _agreement_fields(form)
        try:
            agreement = services.agreement_update(
                by=user,
                agreement=agreement,
                municipality=selectors.member(agreement.programme, municipality_pk),
                fields=fields,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The agreement is saved."))
            return redirect(agreement)
    return render(
        request,
        "knowledge/partners/agreement_form.html",
        {"form": form, "partner": agreement.partner, "agreement": agreement},
        status=400 if form.errors else 200,
    )


# --- Needs --------------------------------------------------------------------------------------------------------


@login_required
def need_list(request):
    user = request.user
    status = request.GET.get("status", "")
    page = selectors.needs_page(user, status=status, cursor=request.GET.get("cursor"))
    return render(
        request,
        "knowledge/partners/need_list.html",
        {
            "page": page,
            "status": status if status in NeedStatus.values else "",
            "statuses": NeedStatus.choices,
            "query": urlencode({"status": status}) if status in NeedStatus.values else "",
            "can_post": services.can_post_need(user),
        },
    )


def _need_form(user, data=None):
    municipalities = None if scope.is_municipal(user) else selectors.member_choices(user.programme)
    return NeedForm(data, regions=selectors.region_choices(user), municipalities=municipalities)


@login_required
def need_create(request):
    user = request.user
    if not services.can_post_need(user):
        raise PermissionDenied
    form = _need_form(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        municipality = None
        if data.get("municipality"):
            municipality = selectors.member(user.programme, data["municipality"])
            if municipality is None:
                form.add_error("municipality", _("Choose a member municipality of this programme."))
        if not form.errors:
            try:
                need = services.need_post(
                    by=user,
                    fields={
                        "title": data["title"],
                        "description": data["description"],
                        "domain": data["domain"],
                        "region": selectors.region_of(user, data.get("region")),
                    },
                    skills=data["skills"],
                    municipality=municipality,
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Your need is posted. The support centre will look for partners."))
                return redirect(need)
    return render(request, "knowledge/partners/need_form.html", {"form": form}, status=400 if form.errors else 200)


def _need_or_404(user, pk) -> Need:
    try:
        return selectors.need_visible_to(user, pk)
    except Need.DoesNotExist as missing:
        raise Http404 from missing


def need_page(request, need: Need, *, introduction_form=None, status=200):
    user = request.user
    proposals = selectors.proposals_for(need)
    introductions = selectors.introductions_of(need)
    can_introduce = services.can_introduce(user, need)
    if can_introduce and introduction_form is None:
        introduction_form = IntroductionForm(
            partners=[(p.pk, p.name) for p in proposals if not p.introduced],
            initial={"introduced_on": timezone.localdate()},
        )
    for introduction in introductions:
        introduction.form = (
            OutcomeForm(
                prefix=f"i{introduction.pk}",
                initial={"outcome": introduction.outcome, "outcome_note": introduction.outcome_note},
            )
            if can_introduce
            else None
        )
    return render(
        request,
        "knowledge/partners/need_detail.html",
        {
            "need": need,
            "proposals": proposals,
            "introductions": introductions,
            "can_introduce": can_introduce,
            "introduction_form": introduction_form if can_introduce else None,
            "status_form": NeedStatusForm(initial={"status": need.status})
            if services.can_change_need(user, need)
            else None,
        },
        status=status,
    )


@login_required
def need_detail(request, pk):
    return need_page(request, _need_or_404(request.user, pk))


@login_required
@require_POST
def need_status(request, pk):
    user = request.user
    need = _need_or_404(user, pk)
    if not services.can_change_need(user, need):
        raise PermissionDenied
    form = NeedStatusForm(request.POST)
    if form.is_valid():
        services.need_set_status(by=user, need=need, status=form.cleaned_data["status"])
        messages.success(request, _("The need's status is saved."))
    else:
        messages.error(request, _("Choose the need's status."))
    return redirect(need)


@login_required
@require_POST
def need_introduce(request, pk):
    user = request.user
    need = _need_or_404(user, pk)
    if not services.can_introduce(user, need):
        raise PermissionDenied
    proposals = selectors.proposals_for(need)
    form = IntroductionForm(request.POST, partners=[(p.pk, p.name) for p in proposals if not p.introduced])
    if form.is_valid():
        try:
            services.introduction_record(
                by=user,
                need=need,
                partner=selectors.partner_for_introduction(need, form.cleaned_data["partner"]),
                note=form.cleaned_data["note"],
                on=form.cleaned_data["introduced_on"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The introduction is recorded."))
            return redirect(need)
    return need_page(request, need, introduction_form=form, status=400)


@login_required
@require_POST
def need_outcome(request, pk):
    user = request.user
    try:
        introduction = selectors.introduction_visible_to(user, pk)
    except Introduction.DoesNotExist as missing:
        raise Http404 from missing
    if not services.can_introduce(user, introduction.need):
        raise PermissionDenied
    form = OutcomeForm(request.POST, prefix=f"i{introduction.pk}")
    if form.is_valid():
        services.introduction_set_outcome(
            by=user,
            introduction=introduction,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["outcome_note"],
        )
        messages.success(request, _("The outcome is saved."))
    else:
        messages.error(request, _("Choose the outcome."))
    return redirect(introduction.need)
