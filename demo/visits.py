"""Demo visits and events: two fiscal years of the programme's visits from August to March (the previous year
complete, this year done up to today and planned after), joint, online and cancelled ones among them, follow-up
actions, a summer and a winter camp each year with registrations, a waiting list and attendance, and workshops.
Everything goes through visits.services, so the counting rule and the waiting list hold as in real use."""

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from demo.consultations import clock
from dxshare.business_days import is_business_day
from dxshare.fiscal import current_fiscal_year
from municipalities.models import LocalGovernment, Programme
from specialists.models import Specialist
from visits import services
from visits.enums import Audience, EventKind, Mode
from visits.models import Event, Trip

PURPOSES = [
    "窓口DXの現状ヒアリング",
    "申請書の様式見直しワークショップ",
    "庁内ネットワーク分離の検討会",
    "オープンデータ公開の進め方の打合せ",
    "官民共創プロジェクトのキックオフ",
    "SNS運用方針の見直し",
    "DX推進計画の中間レビュー",
    "職員向けDX研修の企画相談",
]
OUTCOMES = [
    "現状の課題を整理し、優先順位を合意しました。次回までに担当課で業務フローを洗い出します。",
    "様式案を一緒に作成しました。庁内で試行し、住民の反応を確認します。",
    "検討の観点を共有しました。来月の会議で方針を決定する予定です。",
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_default_timezone())


def _business_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if is_business_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _plan_year(programme, fiscal_year, members, specialists, staff_by_town, coordinator, rng, today) -> int:
    planned = 0
    days = _business_days(dt.date(fiscal_year, 8, 1), dt.date(fiscal_year + 1, 3, 20))
    # About four visits a week, every municipality at least twice a year.
    towns = [members[i % len(members)] for i in range(int(len(days) * 0.8))]
    rng.shuffle(towns)
    for index, town in enumerate(towns):
        day = days[(index * len(days)) // len(towns)]
        hour = rng.choice([10, 14])
        team = rng.sample(specialists, 2 if rng.random() < 0.2 else 1)
        mode = Mode.ONLINE if rng.random() < 0.15 else Mode.ONSITE
        start = _at(day, hour)
        people = staff_by_town.get(town.pk, [])
        try:
            with clock(start - dt.timedelta(days=14)):
                trip, _hints = services.trip_plan(
                    by=coordinator,
                    programme=programme,
                    municipality=town,
                    specialists=team,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=2),
                    mode=mode,
                    purpose=rng.choice(PURPOSES),
                    place=f"{town.name}役場" if mode == Mode.ONSITE else "オンライン会議",
                    participants=people[:1],
                )
        except ValidationError:
            continue  # the same specialist at the same town that day: the rule refuses a second visit
        planned += 1
        if start.date() >= today:
            continue
        if rng.random() < 0.06:
            services.trip_cancel(by=coordinator, trip=trip, reason="先方の都合により延期")
            continue
        services.trip_mark_done(by=coordinator, trip=trip, outcome=rng.choice(OUTCOMES))
        if rng.random() < 0.3 and people:
            services.follow_up_add(
                by=coordinator,
                trip=trip,
                description="業務フローの洗い出し結果を共有する",
                owner=people[0],
                due_on=day + dt.timedelta(days=14),
            )
    return planned


def _camp(programme, organiser, kind, title, start, days, capacity, staff, rng, today) -> Event:
    with clock(start - dt.timedelta(days=60)):
        event = services.event_create(
            by=organiser,
            programme=programme,
            fields={
                "kind": kind,
                "title": title,
                "description": "市町職員が集まり、専門官とともに自分たちの課題を持ち寄って解決策を考えます。",
                "venue": "愛媛県庁 第一別館 大会議室" if kind != EventKind.WORKSHOP else "",
                "online_url": "https://meet.example.jp/ehime-dx" if kind == EventKind.WORKSHOP else "",
                "starts_at": start,
                "ends_at": start + dt.timedelta(days=days - 1, hours=7),
                "capacity": capacity,
                "audience": Audience.PROGRAMME,
            },
        )
        for person in staff:
            services.event_register(by=person, event=event, person=person)
        # One cancellation: the first on the waiting list moves up by itself.
        registered = list(event.registrations.filter(status="registered").order_by("id")[:1])
        if registered and len(staff) > (capacity or 0):
            services.registration_cancel(by=registered[0].user, registration=registered[0])
    if start.date() < today:
        with clock(start + dt.timedelta(days=days)):
            present = {r.pk for r in event.registrations.filter(status="registered") if rng.random() < 0.9}
            services.attendance_record(by=organiser, event=event, attended_ids=present)
    return event


def demo_visits(programme: Programme, *, today: dt.date | None = None) -> int:
    """Idempotent: nothing is added if the programme already has visits."""
    if Trip.objects.filter(programme=programme).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(2022)
    members = list(LocalGovernment.objects.filter(membership__programme=programme).order_by("code"))
    specialists = list(Specialist.objects.filter(user__programme=programme).select_related("user").order_by("domain"))
    coordinator = User.objects.filter(programme=programme, role=Role.COORDINATOR).order_by("email").first()
    staff = list(User.objects.filter(programme=programme, role=Role.MUNICIPAL).order_by("email"))
    staff_by_town: dict[int, list[User]] = {}
    for person in staff:
        staff_by_town.setdefault(person.organisation_id, []).append(person)
    this_year = current_fiscal_year()
    planned = 0
    for fiscal_year in (this_year - 1, this_year):
        planned += _plan_year(programme, fiscal_year, members, specialists, staff_by_town, coordinator, rng, today)
        _camp(
            programme,
            coordinator,
            EventKind.SUMMER_CAMP,
            f"{fiscal_year}年度 夏のDX合宿",
            _at(dt.date(fiscal_year, 8, 20), 10),
            2,
            24,
            staff[:26],
            rng,
            today,
        )
        _camp(
            programme,
            coordinator,
            EventKind.WINTER_CAMP,
            f"{fiscal_year}年度 冬のDX合宿",
            _at(dt.date(fiscal_year + 1, 1, 21), 10),
            2,
            12,
            staff[3:17],
            rng,
            today,
        )
        for month in (6, 9, 11, 1):
            year = fiscal_year if month >= 4 else fiscal_year + 1
            _camp(
                programme,
                specialists[month % len(specialists)].user,
                EventKind.WORKSHOP,
                f"DXワークショップ（{month}月）",
                _at(dt.date(year, month, 10), 14),
                1,
                None,
                staff[month : month + 8],
                rng,
                today,
            )
    return planned
