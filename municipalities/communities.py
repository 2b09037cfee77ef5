"""Communities of municipalities: who belongs (by the community's rule), who sees which, and the writes (the centre
creates and edits communities and posts announcements; members are told by e-mail through the outbox).

Scope: municipal staff see the communities their municipality belongs to; prefecture staff, specialists and the
centre see their programme's; site administrators all. Anything else is a 404.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import scope
from accounts.enums import Role
from accounts.models import User
from dxshare.paging import KeysetPage, paginate
from municipalities.enums import CommunityRule
from municipalities.models import Announcement, Community, LocalGovernment, Membership
from notifications import registry
from notifications.services import notification_schedule

ANNOUNCEMENT = "community.announcement"
MEMBERS_SHOWN = 200  # a community page lists at most this many members (a prefecture has at most ~60 municipalities)


# --- Who belongs ----------------------------------------------------------------------------------------------------


def rule_includes(organisation, prefix: str = "") -> Q:
    """Communities (seen through the lookup `prefix`, e.g. "community__") whose rule includes this municipality."""
    chosen = Community.chosen.through.objects.filter(
        community_id=OuterRef(f"{prefix}pk" if prefix else "pk"), localgovernment_id=organisation.pk
    )
    condition = Q(**{f"{prefix}rule": CommunityRule.CHOSEN}) & Exists(chosen)
    if organisation.region_id:
        condition |= Q(**{f"{prefix}rule": CommunityRule.REGION, f"{prefix}region_id": organisation.region_id})
    if organisation.population is not None:
        condition |= Q(
            **{f"{prefix}rule": CommunityRule.POPULATION, f"{prefix}population_below__gt": organisation.population}
        )
    return condition


def members_of(community: Community) -> QuerySet[LocalGovernment]:
    """The programme's member municipalities that the community's rule includes, by code."""
    members = LocalGovernment.objects.filter(
        Exists(Membership.objects.filter(programme_id=community.programme_id, municipality_id=OuterRef("pk")))
    )
    if community.rule == CommunityRule.REGION:
        members = members.filter(region_id=community.region_id)
    elif community.rule == CommunityRule.POPULATION:
        members = members.filter(population__lt=community.population_below)
    else:
        members = members.filter(
            Exists(
                Community.chosen.through.objects.filter(community_id=community.pk, localgovernment_id=OuterRef("pk"))
            )
        )
    return members.order_by("code")


def is_member(community: Community, organisation) -> bool:
    return organisation is not None and members_of(community).filter(pk=organisation.pk).exists()


# --- Who sees what --------------------------------------------------------------------------------------------------


def communities_visible_to(user) -> QuerySet[Community]:
    communities = scope.scope_queryset(Community.objects.all(), user, programme="programme")
    if scope.is_municipal(user):
        communities = communities.filter(rule_includes(user.organisation))
    return communities


def community_for_page(user, pk) -> Community:
    return communities_visible_to(user).select_related("programme", "region").get(pk=pk)


def can_manage(user, community_or_programme) -> bool:
    programme = getattr(community_or_programme, "programme", community_or_programme)
    return scope.can_manage_programme(user, programme)


@dataclass
class CommunityPage:
    community: Community
    members: list
    more_members: bool
    announcements: KeysetPage


def community_page(user, pk, *, cursor: str | None = None) -> CommunityPage:
    community = community_for_page(user, pk)
    members = list(members_of(community)[: MEMBERS_SHOWN + 1])
    announcements = paginate(
        Announcement.objects.filter(community=community).select_related("posted_by"),
        ("-posted_at", "-id"),
        cursor,
        per_page=10,
        count=False,
    )
    return CommunityPage(community, members[:MEMBERS_SHOWN], len(members) > MEMBERS_SHOWN, announcements)


# --- Writes ---------------------------------------------------------------------------------------------------------


def _check(programme, fields: dict, chosen: list) -> None:
    rule = fields.get("rule")
    if rule == CommunityRule.REGION:
        region = fields.get("region")
        if region is None:
            raise ValidationError({"region": _("Choose the region.")})
        if region.prefecture_id != programme.prefecture_id:
            raise ValidationError({"region": _("Choose a region of this prefecture.")})
    elif rule == CommunityRule.POPULATION:
        if not fields.get("population_below") or fields["population_below"] < 1:
            raise ValidationError({"population_below": _("Enter the population limit as a positive whole number.")})
    elif rule == CommunityRule.CHOSEN:
        if not chosen:
            raise ValidationError({"chosen": _("Choose at least one municipality.")})
        members = set(Membership.objects.filter(programme=programme).values_list("municipality_id", flat=True))
        if any(m.pk not in members for m in chosen):
            raise ValidationError({"chosen": _("Choose member municipalities of this programme.")})
    else:
        raise ValidationError({"rule": _("Choose who belongs to the community.")})
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the community's name.")})


def _apply(community: Community, fields: dict) -> None:
    community.name = fields["name"].strip()
    community.description = fields.get("description", "")
    community.rule = fields["rule"]
    community.region = fields.get("region") if community.rule == CommunityRule.REGION else None
    community.population_below = fields.get("population_below") if community.rule == CommunityRule.POPULATION else None


def _save(community: Community, chosen: list) -> Community:
    if Community.objects.filter(programme=community.programme, name=community.name).exclude(pk=community.pk).exists():
        raise ValidationError({"name": _("The programme already has a community of this name.")})
    community.save()
    community.chosen.set(chosen if community.rule == CommunityRule.CHOSEN else [])
    return community


@transaction.atomic
def community_create(*, by, programme, fields: dict, chosen=()) -> Community:
    if not can_manage(by, programme):
        raise PermissionDenied
    _check(programme, fields, list(chosen))
    community = Community(programme=programme, created_by=by)
    _apply(community, fields)
    return _save(community, list(chosen))


@transaction.atomic
def community_update(*, by, community: Community, fields: dict, chosen=()) -> Community:
    if not can_manage(by, community):
        raise PermissionDenied
    _check(community.programme, fields, list(chosen))
    community = Community.objects.select_for_update().select_related("programme").get(pk=community.pk)
    _apply(community, fields)
    return _save(community, list(chosen))


@transaction.atomic
def announcement_post(*, by, community: Community, title: str, body: str) -> Announcement:
    """Post an announcement and tell the staff of every member municipality by e-mail (once each)."""
    if not can_manage(by, community):
        raise PermissionDenied
    errors = {}
    if not title.strip():
        errors["title"] = _("Enter the announcement's title.")
    if not body.strip():
        errors["body"] = _("Write the announcement.")
    if errors:
        raise ValidationError(errors)
    announcement = Announcement.objects.create(community=community, title=title.strip(), body=body, posted_by=by)
    url = settings.SITE_URL + community.get_absolute_url()
    staff = User.objects.filter(
        is_active=True,
        role=Role.MUNICIPAL,
        programme_id=community.programme_id,
        organisation__in=members_of(community).values("pk"),
    )
    for user in staff.iterator():
        with translation.override(user.language):
            subject = gettext("[dxshare] %(community)s: %(title)s") % {
                "community": community.name,
                "title": announcement.title,
            }
            text = "\n".join(
                [
                    gettext("An announcement to the community %(community)s:") % {"community": community.name},
                    "",
                    announcement.title,
                    "",
                    announcement.body,
                    "",
                    gettext("Open it:") + " " + url,
                    "",
                ]
            )
        notification_schedule(
            recipient=user,
            kind=ANNOUNCEMENT,
            subject=subject,
            body=text,
            url=url,
            unique_key=f"{ANNOUNCEMENT}:{announcement.pk}:{user.pk}",
        )
    return announcement


def register() -> None:
    registry.register(
        registry.Kind(
            ANNOUNCEMENT,
            _("Announcements to your communities"),
            _("Communities"),
            order=50,
            roles=frozenset({Role.MUNICIPAL}),
        )
    )
