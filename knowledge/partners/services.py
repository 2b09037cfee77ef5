"""Writes of the partner directory: partners, agreements, needs, introductions. One call per action a person takes;
each validates and refuses with a ValidationError that names the rule (nothing saved), or PermissionDenied."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts import scope
from dxshare import textsearch
from knowledge.partners import reminders
from knowledge.partners.models import (
    MAX_TERM_MONTHS,
    MIN_TERM_MONTHS,
    YEARLY_COST_CAP,
    Agreement,
    AgreementStatus,
    Introduction,
    Need,
    NeedStatus,
    Outcome,
    Partner,
    PartnerDomain,
    PartnerKind,
    Skill,
    Visibility,
    term_end,
)
from municipalities.models import Membership, Region
from specialists.enums import Domain

MAX_SKILLS = 12
SKILL_LENGTH = 30
FORBIDDEN_IN_SKILLS = set("<>\"'`&{}")


# --- Who may do what ----------------------------------------------------------------------------------------------


def can_manage_partners(user, programme) -> bool:
    """The programme's centre keeps its directory and agreements; site administrators anywhere."""
    return scope.can_manage_programme(user, programme)


def can_edit_partner(user, partner: Partner) -> bool:
    return scope.is_site_admin(user) or (scope.is_centre(user) and user.programme_id == partner.programme_id)


def can_post_need(user) -> bool:
    return user.programme_id is not None and (scope.is_municipal(user) or scope.is_specialist(user))


def can_change_need(user, need: Need) -> bool:
    """The centre of the need's programme, a site administrator, or whoever posted it."""
    if scope.is_site_admin(user):
        return True
    if user.programme_id != need.programme_id:
        return False
    return scope.is_centre(user) or need.posted_by_id == user.pk


def can_introduce(user, need: Need) -> bool:
    return scope.is_site_admin(user) or (scope.is_centre(user) and user.programme_id == need.programme_id)


# --- Skills -------------------------------------------------------------------------------------------------------


def parse_skills(text: str) -> list[str]:
    """Skill names from a comma- or line-separated text (、 and ， too); refuses markup and overlong names."""
    names = []
    seen = set()
    for raw in (text or "").replace("、", ",").replace("，", ",").replace("\n", ",").split(","):
        name = " ".join(raw.split())
        if not name:
            continue
        if FORBIDDEN_IN_SKILLS & set(name) or strip_tags(name) != name:
            raise ValidationError(
                {
                    "skills": _("A skill is a plain keyword: remove the characters < > \" ' ` & { } from “%(skill)s”.")
                    % {"skill": name[:40]}
                }
            )
        if len(name) > SKILL_LENGTH:
            raise ValidationError(
                {
                    "skills": _("Keep each skill to %(count)d characters or fewer: “%(skill)s” is longer.")
                    % {"count": SKILL_LENGTH, "skill": name[:40]}
                }
            )
        key = textsearch.normalise(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
    if len(names) > MAX_SKILLS:
        raise ValidationError({"skills": _("Give at most %(count)d skills.") % {"count": MAX_SKILLS}})
    return names


def _skills(names: list[str]) -> list[Skill]:
    """The Skill rows for `names`, created as needed (two queries and one insert, whatever the number)."""
    wanted = {textsearch.normalise(name)[:SKILL_LENGTH]: name for name in names}
    if not wanted:
        return []
    Skill.objects.bulk_create(
        [Skill(name=name[:SKILL_LENGTH], key=key) for key, name in wanted.items()], ignore_conflicts=True
    )
    return list(Skill.objects.filter(key__in=list(wanted)))


# --- Partners -----------------------------------------------------------------------------------------------------

PARTNER_FIELDS = (
    "kind",
    "name",
    "organisation",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
    "visibility",
    "active",
)


def _check_partner(programme, fields: dict, domains: list[str], regions: list[Region]) -> None:
    if fields.get("kind") not in PartnerKind.values:
        raise ValidationError({"kind": _("Choose the kind of partner.")})
    if fields.get("visibility") not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who may see the partner.")})
    if not (fields.get("name") or "").strip():
        raise ValidationError({"name": _("Enter the partner's name.")})
    if not domains:
        raise ValidationError({"domains": _("Choose at least one domain.")})
    if any(domain not in Domain.values for domain in domains):
        raise ValidationError({"domains": _("Choose domains from the list.")})
    if any(region.prefecture_id != programme.prefecture_id for region in regions):
        raise ValidationError({"regions": _("Choose regions of the programme's prefecture.")})


def _save_relations(partner: Partner, domains: list[str], skills: list[Skill], regions: list[Region]) -> None:
    partner.domain_rows.exclude(domain__in=domains).delete()
    PartnerDomain.objects.bulk_create(
        [PartnerDomain(partner=partner, domain=domain) for domain in domains], ignore_conflicts=True
    )
    partner.skills.set(skills)
    partner.regions.set(regions)


def _search_text(fields: dict, skill_names: list[str]) -> str:
    return textsearch.document(
        fields.get("name", ""), fields.get("organisation", ""), *skill_names, fields.get("description", "")
    )


def partner_create(*, by, programme, fields: dict, domains: list[str], skills: list[str], regions: list[Region]):
    if not can_manage_partners(by, programme):
        raise PermissionDenied
    names = parse_skills(", ".join(skills))
    _check_partner(programme, fields, domains, regions)
    values = {key: fields[key] for key in PARTNER_FIELDS if key in fields}
    with transaction.atomic():
        partner = Partner.objects.create(
            programme=programme,
            created_by=by,
            anywhere=not regions,
            search_text=_search_text(values, names),
            **values,
        )
        _save_relations(partner, domains, _skills(names), regions)
    return partner


def partner_update(*, by, partner: Partner, fields: dict, domains: list[str], skills: list[str], regions: list[Region]):
    if not can_edit_partner(by, partner):
        raise PermissionDenied
    names = parse_skills(", ".join(skills))
    _check_partner(partner.programme, fields, domains, regions)
    values = {key: fields[key] for key in PARTNER_FIELDS if key in fields}
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        for key, value in values.items():
            setattr(partner, key, value)
        partner.anywhere = not regions
        partner.search_text = _search_text(values, names)
        partner.save()
        _save_relations(partner, domains, _skills(names), regions)
    return partner


# --- Agreements ---------------------------------------------------------------------------------------------------


def check_agreement(*, signed_on, starts_on, ends_on, yearly_cost) -> None:
    """The scheme's rules; every broken one is named, on its field."""
    errors = {}
    if starts_on and ends_on:
        if ends_on <= starts_on:
            errors["ends_on"] = _("The term must end after it starts.")
        elif ends_on < term_end(starts_on, MIN_TERM_MONTHS):
            errors["ends_on"] = _(
                "The term must last at least %(min)d months (from %(start)s, until %(earliest)s or later)."
            ) % {
                "min": MIN_TERM_MONTHS,
                "start": date_format(starts_on, "DATE_FORMAT"),
                "earliest": date_format(term_end(starts_on, MIN_TERM_MONTHS), "DATE_FORMAT"),
            }
        elif ends_on > term_end(starts_on, MAX_TERM_MONTHS):
            errors["ends_on"] = _(
                "The term may last at most %(max)d months, i.e. three years (from %(start)s, until %(latest)s at the "
                "latest)."
            ) % {
                "max": MAX_TERM_MONTHS,
                "start": date_format(starts_on, "DATE_FORMAT"),
                "latest": date_format(term_end(starts_on, MAX_TERM_MONTHS), "DATE_FORMAT"),
            }
    if yearly_cost is not None:
        if yearly_cost < 0:
            errors["yearly_cost"] = _("The yearly cost cannot be negative.")
        elif yearly_cost > YEARLY_COST_CAP:
            errors["yearly_cost"] = _("The yearly cost may not exceed the scheme's cap of %(cap)s yen a year.") % {
                "cap": number_format(YEARLY_COST_CAP, force_grouping=True)
            }
    if signed_on and ends_on and signed_on > ends_on:
        errors["signed_on"] = _("The agreement must be signed before its term ends.")
    if errors:
        raise ValidationError(errors)


AGREEMENT_FIELDS = ("signed_on", "purpose", "scope", "starts_on", "ends_on", "yearly_cost", "status")


def _check_municipality(programme, municipality) -> None:
    if municipality is None or not Membership.objects.filter(programme=programme, municipality=municipality).exists():
        raise ValidationError({"municipality": _("Choose a member municipality of this programme.")})


def agreement_create(*, by, programme, partner: Partner, municipality, fields: dict) -> Agreement:
    if not can_manage_partners(by, programme):
        raise PermissionDenied
    if not (partner.visibility == Visibility.PUBLIC or partner.programme_id == programme.pk):
        raise PermissionDenied
    values = {key: fields.get(key) for key in AGREEMENT_FIELDS if key in fields}
    values.setdefault("status", AgreementStatus.AGREED)
    if values["status"] not in AgreementStatus.values:
        raise ValidationError({"status": _("Choose the agreement's status.")})
    _check_municipality(programme, municipality)
    check_agreement(**{key: values.get(key) for key in ("signed_on", "starts_on", "ends_on", "yearly_cost")})
    with transaction.atomic():
        agreement = Agreement.objects.create(
            programme=programme, partner=partner, municipality=municipality, created_by=by, **values
        )
        reminders.plan_agreement(agreement)
    return agreement


def agreement_update(*, by, agreement: Agreement, municipality, fields: dict) -> Agreement:
    if not can_manage_partners(by, agreement.programme):
        raise PermissionDenied
    values = {key: fields.get(key) for key in AGREEMENT_FIELDS if key in fields}
    if values.get("status", agreement.status) not in AgreementStatus.values:
        raise ValidationError({"status": _("Choose the agreement's status.")})
    _check_municipality(agreement.programme, municipality)
    merged = {
        key: values.get(key, getattr(agreement, key)) for key in ("signed_on", "starts_on", "ends_on", "yearly_cost")
    }
    check_agreement(**merged)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        for key, value in values.items():
            setattr(agreement, key, value)
        agreement.municipality = municipality
        agreement.save()
        reminders.plan_agreement(agreement)
    return agreement


# --- Needs and introductions --------------------------------------------------------------------------------------


def need_post(*, by, fields: dict, skills: list[str], municipality=None) -> Need:
    """Municipal staff post for their own municipality; a specialist for the programme, naming a member
    municipality or none."""
    if not can_post_need(by):
        raise PermissionDenied
    programme = by.programme
    if scope.is_municipal(by):
        municipality = by.organisation
    elif municipality is not None:
        _check_municipality(programme, municipality)
    names = parse_skills(", ".join(skills))
    if fields.get("domain") not in Domain.values:
        raise ValidationError({"domain": _("Choose the domain of the need.")})
    region = fields.get("region")
    if region is not None and region.prefecture_id != programme.prefecture_id:
        raise ValidationError({"region": _("Choose a region of the programme's prefecture.")})
    if region is None and municipality is not None:
        region = municipality.region
    with transaction.atomic():
        need = Need.objects.create(
            programme=programme,
            posted_by=by,
            municipality=municipality,
            title=fields["title"],
            description=fields["description"],
            domain=fields["domain"],
            region=region,
        )
        need.skills.set(_skills(names))
    return need


def need_set_status(*, by, need: Need, status: str) -> Need:
    if not can_change_need(by, need):
        raise PermissionDenied
    if status not in NeedStatus.values:
        raise ValidationError({"status": _("Choose the need's status.")})
    Need.objects.filter(pk=need.pk).update(status=status, updated_at=timezone.now())
    need.status = status
    return need


def introduction_record(*, by, need: Need, partner: Partner, note: str = "", on: dt.date | None = None) -> Introduction:
    if not can_introduce(by, need):
        raise PermissionDenied
    if not partner.active or not (partner.visibility == Visibility.PUBLIC or partner.programme_id == need.programme_id):
        raise ValidationError({"partner": _("Choose an active partner listed to this programme.")})
    try:
        with transaction.atomic():
            return Introduction.objects.create(
                need=need, partner=partner, introduced_by=by, introduced_on=on or timezone.localdate(), note=note
            )
    except IntegrityError as clash:
        raise ValidationError(
            {"partner": _("%(partner)s has already been introduced for this need.") % {"partner": partner.name}}
        ) from clash


def introduction_set_outcome(*, by, introduction: Introduction, outcome: str, note: str = "") -> Introduction:
    """The centre records what came of an introduction; "agreed to work together" marks an open need matched."""
    if not can_introduce(by, introduction.need):
        raise PermissionDenied
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    with transaction.atomic():
        introduction.outcome = outcome
        introduction.outcome_note = note
        introduction.save(update_fields=["outcome", "outcome_note", "updated_at"])
        if outcome == Outcome.AGREED:
            Need.objects.filter(pk=introduction.need_id, status=NeedStatus.OPEN).update(
                status=NeedStatus.MATCHED, updated_at=timezone.now()
            )
    return introduction
