"""Reads of the partner directory, always scoped.

Who sees what:
- partners: everyone in a programme sees its own partners and every public partner (the directory lists active ones;
  the owning programme's centre also sees its inactive ones); a programme-only partner of another programme is a 404;
  site administrators see every partner;
- agreements: the centre and prefecture staff of the agreement's programme, staff of the municipality it concerns,
  site administrators; nobody else (specialists included);
- needs: municipal staff their own municipality's; specialists, prefecture staff and the centre the programme's.

The directory reads one index in its sort order (name, id) through keyset paging (dxshare.paging), counts up to a
cap, and its filters are either index lookups that lead with what they ask (a domain, a skill, a region) or bounded
by the programme's visible partners. Every page runs a fixed number of queries.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scope
from dxshare import textsearch
from dxshare.paging import KeysetPage, paginate
from knowledge.partners import services
from knowledge.partners.models import (
    ENDING_SOON_DAYS,
    Agreement,
    AgreementStatus,
    Introduction,
    Need,
    NeedStatus,
    Partner,
    PartnerDomain,
    PartnerKind,
    Skill,
    Visibility,
)
from municipalities.models import LocalGovernment, Membership, Programme, Region
from specialists.enums import Domain

PAGE_SIZE = 25
COUNT_CAP = 1000
PARTNER_ORDER = ("name", "id")
NEED_ORDER = ("-created_at", "-id")
PROPOSALS = 10
ENDING_SOON_ROWS = 10
# How a partner scores against a need: the need's domain, each skill both name, and a region the partner covers.
DOMAIN_WEIGHT = 3
SKILL_WEIGHT = 2
REGION_WEIGHT = 1

LIST_COLUMNS = (
    "id",
    "programme_id",
    "kind",
    "name",
    "organisation",
    "anywhere",
    "visibility",
    "active",
)


# --- Partners -----------------------------------------------------------------------------------------------------


def _listed_filter(user) -> Q | None:
    """Partners listed to the user: their programme's and the public ones; None means every partner."""
    if not scope.is_signed_in(user):
        return Q(pk__in=[])
    if scope.is_site_admin(user):
        return None
    if user.programme_id is None:
        return Q(pk__in=[])
    return Q(programme_id=user.programme_id) | Q(visibility=Visibility.PUBLIC)


def partners_visible_to(user, *, inactive: bool = False) -> QuerySet[Partner]:
    """Active partners listed to the user; `inactive`: the inactive ones the user may manage instead."""
    condition = _listed_filter(user)
    queryset = Partner.objects.all() if condition is None else Partner.objects.filter(condition)
    if not inactive:
        return queryset.filter(active=True)
    if scope.is_site_admin(user):
        return queryset.filter(active=False)
    if scope.is_centre(user):
        return queryset.filter(active=False, programme_id=user.programme_id)
    return queryset.none()


def _with_relations(queryset: QuerySet[Partner]) -> QuerySet[Partner]:
    return queryset.prefetch_related(
        Prefetch("domain_rows", queryset=PartnerDomain.objects.order_by("domain")),
        Prefetch("skills", queryset=Skill.objects.order_by("key")),
        Prefetch("regions", queryset=Region.objects.order_by("id")),
    )


def partner_visible_to(user, pk) -> Partner:
    """One partner the user may see (raises Partner.DoesNotExist otherwise)."""
    condition = _listed_filter(user)
    queryset = Partner.objects.select_related("programme")
    if condition is not None:
        queryset = queryset.filter(condition)
    partner = _with_relations(queryset).get(pk=pk)
    if not partner.active and not services.can_edit_partner(user, partner):
        raise Partner.DoesNotExist
    return partner


@dataclass
class DirectoryFilter:
    q: str = ""
    domain: str = ""
    kind: str = ""
    skill: str = ""
    region: int | None = None
    inactive: bool = False


def filter_partners(queryset: QuerySet[Partner], wanted: DirectoryFilter) -> QuerySet[Partner]:
    if wanted.domain:
        queryset = queryset.filter(Exists(PartnerDomain.objects.filter(partner=OuterRef("pk"), domain=wanted.domain)))
    if wanted.kind:
        queryset = queryset.filter(kind=wanted.kind)
    skill_key = textsearch.normalise(wanted.skill)
    if skill_key:
        queryset = queryset.filter(
            Exists(Partner.skills.through.objects.filter(partner=OuterRef("pk"), skill__key__contains=skill_key))
        )
    if wanted.region:
        queryset = queryset.filter(
            Q(anywhere=True)
            | Exists(Partner.regions.through.objects.filter(partner=OuterRef("pk"), region_id=wanted.region))
        )
    return queryset


def directory(user, wanted: DirectoryFilter, *, cursor: str | None = None) -> KeysetPage:
    """One page of the directory (rows labelled), its count capped at COUNT_CAP."""
    queryset = filter_partners(partners_visible_to(user, inactive=wanted.inactive), wanted).only(*LIST_COLUMNS)
    found = textsearch.search(queryset, wanted.q, cap=COUNT_CAP, order=PARTNER_ORDER)
    count = _count(user, wanted) if found.count is None and not wanted.q else (found.count, found.capped)
    page = paginate(
        _with_relations(found.queryset), PARTNER_ORDER, cursor, per_page=PAGE_SIZE, count_cap=COUNT_CAP, count=count
    )
    label_rows(page.object_list)
    return page


def _count(user, wanted: DirectoryFilter) -> tuple[int, bool] | bool:
    """Up to COUNT_CAP, as two counts that each read one partial index (the programme's own programme-only partners,
    then the public ones) instead of one scan testing "own or public" on every partner of the country."""
    if user.programme_id is None or wanted.inactive:
        return True
    listed = filter_partners(Partner.objects.filter(active=True), wanted)
    own = listed.filter(programme_id=user.programme_id, visibility=Visibility.PROGRAMME)
    public = listed.filter(visibility=Visibility.PUBLIC)
    found = sum(part.order_by().values("pk")[: COUNT_CAP + 1].count() for part in (own, public))
    return min(found, COUNT_CAP), found > COUNT_CAP


def label_rows(partners) -> None:
    """What a row shows, as plain strings (`kind_label`, `domain_labels`, `skill_names`, `region_names`): the labels
    are translated once per page rather than once per row and cell (get_FOO_display hashes the lazy choices)."""
    domains = {value: str(label) for value, label in Domain.choices}
    kinds = {value: str(label) for value, label in PartnerKind.choices}
    for partner in partners:
        partner.kind_label = kinds.get(partner.kind, partner.kind)
        partner.domain_labels = [domains.get(row.domain, row.domain) for row in partner.domain_rows.all()]
        partner.skill_names = [skill.name for skill in partner.skills.all()]
        partner.region_names = [str(region) for region in partner.regions.all()]


def region_choices(user) -> list[tuple[int, str]]:
    """The regions of the user's prefecture (every prefecture's for a site administrator)."""
    regions = Region.objects.order_by("prefecture__code", "id")
    if not scope.is_site_admin(user):
        if user.programme_id is None:
            return []
        regions = regions.filter(prefecture_id=user.programme.prefecture_id)
    return [(region.pk, str(region)) for region in regions]


def prefecture_regions(programme) -> list[tuple[int, str]]:
    return [(region.pk, str(region)) for region in Region.objects.filter(prefecture_id=programme.prefecture_id)]


def regions_by_id(pks) -> list[Region]:
    return list(Region.objects.filter(pk__in=list(pks)).order_by("id")) if pks else []


def region_of(user, pk) -> Region | None:
    """A region of the user's prefecture, or None."""
    if not pk or user.programme_id is None:
        return None
    return Region.objects.filter(pk=pk, prefecture_id=user.programme.prefecture_id).first()


def programme_for_new_partner(user, slug: str | None) -> Programme | None:
    """The programme a new partner goes to: the user's own; a site administrator names one (?programme=slug)."""
    if scope.is_site_admin(user):
        return Programme.objects.filter(slug=slug).first() if slug else None
    return user.programme


# --- Agreements ---------------------------------------------------------------------------------------------------


def _agreements_filter(user) -> Q | None:
    if not scope.is_signed_in(user):
        return Q(pk__in=[])
    if scope.is_site_admin(user):
        return None
    if user.programme_id is None or not (scope.is_centre(user) or scope.is_organisation_staff(user)):
        return Q(pk__in=[])
    return scope.scope_filter(user, programme="programme_id", organisation="municipality_id")


def agreements_visible_to(user) -> QuerySet[Agreement]:
    condition = _agreements_filter(user)
    return Agreement.objects.all() if condition is None else Agreement.objects.filter(condition)


def agreement_visible_to(user, pk) -> Agreement:
    return agreements_visible_to(user).select_related("partner", "municipality", "programme").get(pk=pk)


def partner_agreements(user, partner: Partner) -> list[Agreement]:
    return list(
        agreements_visible_to(user).filter(partner=partner).select_related("municipality").order_by("-starts_on", "-id")
    )


def ending_soon(user, *, today: dt.date | None = None) -> list[Agreement]:
    """The centre's list: its programme's agreements in force that end within ENDING_SOON_DAYS days, soonest first."""
    if not (scope.is_centre(user) and user.programme_id):
        return []
    today = today or timezone.localdate()
    return list(
        Agreement.objects.filter(
            programme_id=user.programme_id,
            status=AgreementStatus.AGREED,
            ends_on__gte=today,
            ends_on__lte=today + dt.timedelta(days=ENDING_SOON_DAYS),
        )
        .select_related("partner", "municipality")
        .order_by("ends_on", "id")[:ENDING_SOON_ROWS]
    )


def member_choices(programme) -> list[tuple[int, str]]:
    members = LocalGovernment.objects.filter(
        pk__in=Membership.objects.filter(programme=programme).values("municipality_id")
    ).order_by("code")
    return [(m.pk, m.display_name) for m in members]


def member(programme, pk) -> LocalGovernment | None:
    return LocalGovernment.objects.filter(pk=pk, member_of=programme).select_related("region").first()


# --- Needs --------------------------------------------------------------------------------------------------------


def needs_visible_to(user) -> QuerySet[Need]:
    return scope.scope_queryset(Need.objects.all(), user, programme="programme_id", organisation="municipality_id")


def needs_page(user, *, status: str = "", cursor: str | None = None) -> KeysetPage:
    queryset = needs_visible_to(user).select_related("municipality", "posted_by").defer("description")
    if status in NeedStatus.values:
        queryset = queryset.filter(status=status)
    return paginate(queryset, NEED_ORDER, cursor, per_page=PAGE_SIZE, count_cap=COUNT_CAP)


def need_visible_to(user, pk) -> Need:
    return (
        needs_visible_to(user)
        .select_related("municipality", "posted_by", "region", "programme")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("key")))
        .get(pk=pk)
    )


def introduction_visible_to(user, pk) -> Introduction:
    return Introduction.objects.select_related("need").get(pk=pk, need__in=needs_visible_to(user))


def partner_for_introduction(need: Need, pk) -> Partner:
    """A partner that may be introduced for the need (active, listed to its programme); raises ValidationError."""
    partner = Partner.objects.filter(
        Q(programme_id=need.programme_id) | Q(visibility=Visibility.PUBLIC), pk=pk, active=True
    ).first()
    if partner is None:
        raise ValidationError({"partner": _("Choose an active partner listed to this programme.")})
    return partner


def introductions_of(need: Need) -> list[Introduction]:
    return list(need.introductions.select_related("partner", "introduced_by").order_by("introduced_on", "id"))


def proposals_for(need: Need, *, limit: int = PROPOSALS) -> list[Partner]:
    """Active partners listed to the need's programme that share its domain or a skill, best first: the domain
    scores DOMAIN_WEIGHT, each shared skill SKILL_WEIGHT, covering the need's region (or working anywhere)
    REGION_WEIGHT; ties by name. Each carries `score`, `domain_hit`, `skill_hits`, `region_hit`, `introduced` and
    `shared_skills`. Three queries, whatever the directory's size."""
    need_skills = Need.skills.through.objects.filter(need_id=need.pk).values("skill_id")
    domain_hit = Exists(PartnerDomain.objects.filter(partner=OuterRef("pk"), domain=need.domain))
    skill_hits = Coalesce(
        Subquery(
            Partner.skills.through.objects.filter(partner=OuterRef("pk"), skill_id__in=need_skills)
            .order_by()
            .values("partner")
            .annotate(hits=Count("*"))
            .values("hits")[:1],
            output_field=IntegerField(),
        ),
        0,
    )
    if need.region_id:
        region_hit = Q(anywhere=True) | Exists(
            Partner.regions.through.objects.filter(partner=OuterRef("pk"), region_id=need.region_id)
        )
    else:
        region_hit = Q(anywhere=True)
    partners = (
        Partner.objects.filter(Q(programme_id=need.programme_id) | Q(visibility=Visibility.PUBLIC), active=True)
        .only(*LIST_COLUMNS)
        .annotate(
            domain_hit=domain_hit,
            skill_hits=skill_hits,
            region_hit=Case(When(region_hit, then=Value(True)), default=Value(False)),
            introduced=Exists(Introduction.objects.filter(need_id=need.pk, partner=OuterRef("pk"))),
        )
        .filter(Q(domain_hit=True) | Q(skill_hits__gt=0))
        .annotate(
            score=Case(When(domain_hit=True, then=Value(DOMAIN_WEIGHT)), default=Value(0))
            + SKILL_WEIGHT * Coalesce("skill_hits", 0)
            + Case(When(region_hit=True, then=Value(REGION_WEIGHT)), default=Value(0))
        )
        .order_by("-score", "name", "id")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("key")))[:limit]
    )
    wanted = set(need.skills.all())
    found = list(partners)
    for partner in found:
        partner.shared_skills = [skill for skill in partner.skills.all() if skill in wanted]
    return found
