"""Communities: the list, a community's page (members, announcements, and what other apps add: its events), and the
centre's forms. Thin: reads and writes are in municipalities.communities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scope
from dxshare.forms import add_validation_errors
from dxshare.paging import paginate
from municipalities import communities, panels, selectors
from municipalities.forms import AnnouncementForm, CommunityForm
from municipalities.models import Community, LocalGovernment, Region


def _community_or_404(user, pk) -> Community:
    try:
        return communities.community_for_page(user, pk)
    except Community.DoesNotExist as missing:
        raise Http404 from missing


@login_required
def community_list(request):
    user = request.user
    if not (scope.is_site_admin(user) or user.programme_id):
        raise PermissionDenied
    page = paginate(
        communities.communities_visible_to(user).select_related("programme", "region"),
        ("name", "id"),
        request.GET.get("cursor"),
        per_page=50,
    )
    return render(
        request,
        "municipalities/community_list.html",
        {
            "page": page,
            "can_create": bool(user.programme_id) and communities.can_manage(user, user.programme),
            "query": "",
        },
    )


def _render_page(request, community, *, announcement_form=None, status=200):
    page = communities.community_page(request.user, community.pk, cursor=request.GET.get("cursor"))
    manages = communities.can_manage(request.user, community)
    return render(
        request,
        "municipalities/community_detail.html",
        {
            "community": page.community,
            "members": page.members,
            "more_members": page.more_members,
            "announcements": page.announcements,
            "manages": manages,
            "announcement_form": (announcement_form or AnnouncementForm()) if manages else None,
            "panels": panels.render_community(request, page.community),
            "query": "",
        },
        status=status,
    )


@login_required
def community_detail(request, pk):
    return _render_page(request, _community_or_404(request.user, pk))


def _form_choices(programme) -> dict:
    regions = [(r.pk, str(r)) for r in Region.objects.filter(prefecture_id=programme.prefecture_id).order_by("id")]
    members = [
        (m.pk, m.display_name) for m in LocalGovernment.objects.filter(membership__programme=programme).order_by("code")
    ]
    return {"regions": regions, "municipalities": members}


def _arguments(form) -> tuple[dict, list]:
    data = form.cleaned_data
    fields = {key: data[key] for key in ("name", "description", "rule", "population_below")}
    fields["region"] = Region.objects.filter(pk=data["region"]).first() if data.get("region") else None
    return fields, list(LocalGovernment.objects.filter(pk__in=data["chosen"]))


def _programme_for_new(request):
    user = request.user
    if scope.is_site_admin(user) and request.GET.get("programme"):
        return get_object_or_404(selectors.programmes_visible_to(user), slug=request.GET["programme"])
    if user.programme_id and communities.can_manage(user, user.programme):
        return user.programme
    raise PermissionDenied


@login_required
def community_create(request):
    programme = _programme_for_new(request)
    form = CommunityForm(request.POST or None, **_form_choices(programme))
    if request.method == "POST" and form.is_valid():
        fields, chosen = _arguments(form)
        try:
            community = communities.community_create(by=request.user, programme=programme, fields=fields, chosen=chosen)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The community is created."))
            return redirect(community)
    return render(
        request,
        "municipalities/community_form.html",
        {"form": form, "programme": programme, "community": None},
        status=400 if form.errors else 200,
    )


@login_required
def community_edit(request, pk):
    community = _community_or_404(request.user, pk)
    if not communities.can_manage(request.user, community):
        raise PermissionDenied
    initial = {
        "name": community.name,
        "description": community.description,
        "rule": community.rule,
        "region": community.region_id,
        "population_below": community.population_below,
        "chosen": [m.pk for m in community.chosen.all()],
    }
    form = CommunityForm(request.POST or None, initial=initial, **_form_choices(community.programme))
    if request.method == "POST" and form.is_valid():
        fields, chosen = _arguments(form)
        try:
            community = communities.community_update(by=request.user, community=community, fields=fields, chosen=chosen)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The community is saved."))
            return redirect(community)
    return render(
        request,
        "municipalities/community_form.html",
        {"form": form, "programme": community.programme, "community": community},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def announcement_post(request, pk):
    community = _community_or_404(request.user, pk)
    if not communities.can_manage(request.user, community):
        raise PermissionDenied
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        try:
            communities.announcement_post(by=request.user, community=community, **form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The announcement is posted; the members' staff are told by e-mail."))
            return redirect(community)
    return _render_page(request, community, announcement_form=form, status=400)
