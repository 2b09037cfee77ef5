"""Writes on local governments and programmes."""

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import scope
from municipalities.enums import Kind, TargetMetric
from municipalities.models import LocalGovernment, Membership, Programme, ProgrammeTarget, Region, ReminderPolicy
from municipalities.signals import reminder_policy_changed
from municipalities.validators import is_valid_code

DATA_DIR = Path(__file__).resolve().parent / "data"
NATIONAL_CSV = DATA_DIR / "local_governments.csv"
EHIME_CSV = DATA_DIR / "ehime_municipalities.csv"

PREFECTURES_EN = [
    "Hokkaido",
    "Aomori",
    "Iwate",
    "Miyagi",
    "Akita",
    "Yamagata",
    "Fukushima",
    "Ibaraki",
    "Tochigi",
    "Gunma",
    "Saitama",
    "Chiba",
    "Tokyo",
    "Kanagawa",
    "Niigata",
    "Toyama",
    "Ishikawa",
    "Fukui",
    "Yamanashi",
    "Nagano",
    "Gifu",
    "Shizuoka",
    "Aichi",
    "Mie",
    "Shiga",
    "Kyoto",
    "Osaka",
    "Hyogo",
    "Nara",
    "Wakayama",
    "Tottori",
    "Shimane",
    "Okayama",
    "Hiroshima",
    "Yamaguchi",
    "Tokushima",
    "Kagawa",
    "Ehime",
    "Kochi",
    "Fukuoka",
    "Saga",
    "Nagasaki",
    "Kumamoto",
    "Oita",
    "Miyazaki",
    "Kagoshima",
    "Okinawa",
]
KIND_FROM_CSV = {
    "prefecture": Kind.PREFECTURE,
    "city": Kind.CITY,
    "town": Kind.TOWN,
    "village": Kind.VILLAGE,
    "special_ward": Kind.WARD,
    "ward": Kind.WARD,
}
UPDATABLE = ("kind", "name", "name_kana", "prefecture_id")


def to_katakana(text: str) -> str:
    """Readings are kept in katakana, as in the national list; hiragana input is converted."""
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _read_national(path: Path) -> tuple[list[dict], list[str]]:
    rows, errors = [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line_no, row in enumerate(csv.DictReader(handle), start=2):
            code, parent = row["jis_code"].strip(), row["prefecture_code"].strip()
            kind = KIND_FROM_CSV.get(row["kind"].strip())
            if not is_valid_code(code) or not is_valid_code(parent):
                errors.append(
                    _("line %(line)s: %(code)s is not a valid local government code") % {"line": line_no, "code": code}
                )
            elif kind is None:
                errors.append(_("line %(line)s: unknown kind %(kind)s") % {"line": line_no, "kind": row["kind"]})
            else:
                rows.append(
                    {
                        "code": code,
                        "parent": parent,
                        "kind": kind,
                        "name": row["name"].strip(),
                        "name_kana": to_katakana(row["name_kana"].strip()),
                    }
                )
    codes = [row["code"] for row in rows]
    if len(codes) != len(set(codes)):
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        errors.append(_("duplicate codes: %(codes)s") % {"codes": ", ".join(duplicates)})
    return rows, errors


@transaction.atomic
def local_governments_import(*, path: Path = NATIONAL_CSV) -> ImportResult:
    """Create or update every prefecture and municipality of the national list. All or nothing; run it any time."""
    rows, errors = _read_national(path)
    if errors:
        raise ValidationError(errors)
    result = ImportResult()
    existing = {lg.code: lg for lg in LocalGovernment.objects.all()}
    # Prefectures first, so municipalities can point at them.
    for pass_kinds in ({Kind.PREFECTURE}, set(Kind) - {Kind.PREFECTURE}):
        to_create, to_update = [], []
        for row in rows:
            if row["kind"] not in pass_kinds:
                continue
            values = {
                "kind": row["kind"],
                "name": row["name"],
                "name_kana": row["name_kana"],
                "prefecture_id": None if row["kind"] == Kind.PREFECTURE else existing[row["parent"]].pk,
            }
            current = existing.get(row["code"])
            if current is None:
                lg = LocalGovernment(code=row["code"], **values)
                if row["kind"] == Kind.PREFECTURE:
                    lg.name_en = PREFECTURES_EN[int(row["code"][:2]) - 1]
                to_create.append(lg)
            elif any(getattr(current, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(current, key, value)
                to_update.append(current)
            else:
                result.unchanged += 1
        for lg in LocalGovernment.objects.bulk_create(to_create, batch_size=500):
            existing[lg.code] = lg
        LocalGovernment.objects.bulk_update(to_update, UPDATABLE, batch_size=500)
        result.created += len(to_create)
        result.updated += len(to_update)
    return result


@transaction.atomic
def prefecture_details_import(*, path: Path = EHIME_CSV) -> int:
    """Add readings, English names, regions and populations from a prefecture's own list (e.g. Ehime's 20)."""
    updated = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            municipality = LocalGovernment.objects.select_related("prefecture").get(code=row["jis_code"])
            region, _created = Region.objects.get_or_create(
                prefecture=municipality.prefecture, name=row["region_ja"], defaults={"name_en": row["region_en"]}
            )
            municipality.name_kana = to_katakana(row["name_kana"])
            municipality.name_en = row["name_en"]
            municipality.region = region
            municipality.population = int(row["population_approx"]) if row["population_approx"] else None
            municipality.save(update_fields=["name_kana", "name_en", "region", "population"])
            updated += 1
    return updated


@transaction.atomic
def programme_create_or_update(
    *,
    slug: str,
    name: str,
    name_en: str,
    centre_name: str,
    centre_name_en: str,
    reference_prefix: str,
    prefecture: LocalGovernment,
    members: list[LocalGovernment],
    targets: dict[tuple[int, str], int] | None = None,
    joined_on: dt.date | None = None,
    contact: dict[str, str] | None = None,
) -> Programme:
    programme = Programme.objects.filter(slug=slug).first() or Programme(slug=slug)
    for key, value in (contact or {}).items():
        if key in CENTRE_CONTACT_FIELDS:
            setattr(programme, key, value)
    for key, value in {
        "name": name,
        "name_en": name_en,
        "centre_name": centre_name,
        "centre_name_en": centre_name_en,
        "reference_prefix": reference_prefix,
        "prefecture": prefecture,
    }.items():
        setattr(programme, key, value)
    programme.full_clean(validate_unique=True)
    programme.save()
    for municipality in members:
        membership_add(programme=programme, municipality=municipality, joined_on=joined_on)
    for (fiscal_year, metric), value in (targets or {}).items():
        ProgrammeTarget.objects.update_or_create(
            programme=programme, fiscal_year=fiscal_year, metric=metric, defaults={"value": value}
        )
    return programme


def membership_add(*, programme: Programme, municipality: LocalGovernment, joined_on=None) -> Membership:
    """Idempotent: an existing membership is returned as it is."""
    existing = Membership.objects.filter(programme=programme, municipality=municipality).first()
    if existing:
        return existing
    membership = Membership(programme=programme, municipality=municipality, joined_on=joined_on)
    membership.full_clean()
    membership.save()
    return membership


CENTRE_CONTACT_FIELDS = ("centre_phone", "centre_email", "centre_hours")


@transaction.atomic
def programme_set_centre_contact(*, programme: Programme, by, fields: dict) -> Programme:
    """The centre's phone, e-mail and hours, set by the programme's coordinators, centre head or a site admin."""
    if not scope.can_manage_programme(by, programme):
        raise PermissionDenied
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    for name in CENTRE_CONTACT_FIELDS:
        if name in fields:
            setattr(programme, name, (fields[name] or "").strip())
    programme.full_clean()
    programme.save(update_fields=list(CENTRE_CONTACT_FIELDS))
    return programme


REMINDER_POLICY_FIELDS = (
    "unrouted_hours",
    "first_answer_days",
    "waiting_days",
    "auto_close_days",
    "weekly_digest_weekday",
    "weekly_digest_hour",
)


@transaction.atomic
def reminder_policy_update(*, programme: Programme, by, fields: dict) -> ReminderPolicy:
    """Save the programme's reminder thresholds and weekly digest time; pending reminders of open requests move to
    the new thresholds in the same transaction (consultations listens to reminder_policy_changed)."""
    if not scope.can_manage_programme(by, programme):
        raise PermissionDenied
    Programme.objects.select_for_update().get(pk=programme.pk)  # one change at a time per programme
    policy = ReminderPolicy.objects.filter(programme=programme).first() or ReminderPolicy(programme=programme)
    for name in REMINDER_POLICY_FIELDS:
        if name in fields:
            setattr(policy, name, fields[name])
    policy.updated_by = by
    policy.full_clean()
    policy.save()
    reminder_policy_changed.send(sender=ReminderPolicy, programme=programme)
    return policy


@transaction.atomic
def targets_set(*, programme: Programme, by, fiscal_year: int, values: dict[str, int | None]) -> None:
    """A fiscal year's targets, set by the programme's centre head or coordinators: a number per metric, None to
    remove the target."""
    if not scope.can_manage_programme(by, programme):
        raise PermissionDenied
    if not 2000 <= fiscal_year <= 2100:
        raise ValidationError(_("Choose a fiscal year between 2000 and 2100."))
    Programme.objects.select_for_update().get(pk=programme.pk)
    for metric, value in values.items():
        if metric not in TargetMetric.values:
            raise ValidationError(_("Unknown target."))
        if value is None:
            ProgrammeTarget.objects.filter(programme=programme, fiscal_year=fiscal_year, metric=metric).delete()
            continue
        if value < 0 or (metric == TargetMetric.SATISFACTION and value > 100):
            raise ValidationError(
                {
                    metric: _("Enter a number from 0 to 100.")
                    if metric == TargetMetric.SATISFACTION
                    else _("Enter a number of 0 or more.")
                }
            )
        target = ProgrammeTarget(programme=programme, fiscal_year=fiscal_year, metric=metric, value=value)
        target.full_clean(validate_unique=False, validate_constraints=False)
        ProgrammeTarget.objects.update_or_create(
            programme=programme, fiscal_year=fiscal_year, metric=metric, defaults={"value": value}
        )
