"""National-scale data for benchmarks: every prefecture runs a programme, and one of them has a long history.

`national_fill(requests=200_000)` creates 47 programmes (`nat-01` … `nat-47`, one per prefecture, with all its
municipalities as members, a centre, five specialists and one member of staff per municipality) and fills programme
`nat-38` (Ehime) up to `requests` consultation requests over the last five fiscal years, with their routings,
threads, history and watchers, as the services would have left them. Running it again with a larger number tops the
same programme up; the other programmes get `others` requests each, once.

It writes through the models with bulk inserts (the services would take hours for 200,000 requests), so it sets the
fields the services set: reference numbers from the programme's yearly counters, the search text, the workflow's
timestamps. Nothing here is used by the portal itself.
"""

import datetime as dt
import json
import random
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.two_factor import REQUIRED_ROLES
from consultations.enums import EventKind, HelpFormat, MessageKind, Status, Urgency
from consultations.models import Consultation, Event, Message, ReferenceCounter, Routing, Watcher
from consultations.workflow import Party
from dxshare import textsearch
from dxshare.fiscal import fiscal_year_of
from municipalities.models import LocalGovernment, Membership, Programme
from municipalities.services import local_governments_import
from specialists.enums import Domain
from specialists.models import Specialist

BIG_PROGRAMME = "nat-38"
LONG_THREAD = 200  # one request of the big programme has this many messages (the detail page's worst case)
MARK = "［長いやり取り］"
EMAIL_DOMAIN = "bench.example"
YEARS = 5
CHUNK = 5000
REQUESTS_FILE = Path(__file__).resolve().parent.parent / "consultations" / "data" / "demo_requests.json"

# Share of each status among requests of the last 90 days; older ones are closed (a few still answered).
RECENT_STATUSES = [
    (Status.SUBMITTED, 4),
    (Status.ROUTED, 8),
    (Status.IN_PROGRESS, 25),
    (Status.WAITING, 10),
    (Status.ANSWERED, 18),
    (Status.CLOSED, 35),
]
REPLIES = [
    "ご相談ありがとうございます。現状の運用と課題を整理したうえで、進め方をご提案します。",
    "追加で確認させてください。現在の担当部署と、これまでに検討された対応策を教えてください。",
    "ご回答ありがとうございます。いただいた情報をもとに、先行自治体の事例を踏まえた助言をまとめました。",
    "助言の内容で進めてみます。また相談させてください。",
]


@dataclass
class FillResult:
    programmes: int
    created: int
    total: int


def email(slug: str, local: str) -> str:
    return f"{local}@{slug}.{EMAIL_DOMAIN}"


@contextmanager
def _historical_times():
    """Let bulk inserts keep the times we give them: auto_now/auto_now_add would stamp every row with now()."""
    fields = [
        Consultation._meta.get_field("created_at"),
        Consultation._meta.get_field("updated_at"),
        Message._meta.get_field("created_at"),
        Event._meta.get_field("created_at"),
        Routing._meta.get_field("routed_at"),
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _letters(index: int) -> str:
    return "N" + chr(ord("A") + index // 26) + chr(ord("A") + index % 26)


@transaction.atomic
def _programme(prefecture: LocalGovernment, index: int, today: dt.date) -> Programme:
    slug = f"nat-{prefecture.code[:2]}"
    programme = Programme.objects.filter(slug=slug).first()
    if programme:
        return programme
    programme = Programme.objects.create(
        slug=slug,
        name=f"{prefecture.name}DX推進会議（規模試験）",
        name_en=f"{prefecture.name_en} DX council (scale test)",
        centre_name=f"{prefecture.name}DX推進支援センター",
        centre_name_en=f"{prefecture.name_en} DX support centre",
        reference_prefix=_letters(index),
        prefecture=prefecture,
    )
    municipalities = list(LocalGovernment.objects.filter(prefecture=prefecture).order_by("code"))
    joined = dt.date(today.year - YEARS, 4, 1)
    Membership.objects.bulk_create(
        [Membership(programme=programme, municipality=m, joined_on=joined) for m in municipalities]
    )
    unusable = make_password(None)  # benchmark accounts sign in by session only
    people = [
        User(email=email(slug, "head"), full_name="センター長", role=Role.CENTRE_HEAD, programme=programme),
        User(
            email=email(slug, "coordinator"), full_name="コーディネーター", role=Role.COORDINATOR, programme=programme
        ),
        User(
            email=email(slug, "prefecture"),
            full_name="県 職員",
            role=Role.PREFECTURE,
            programme=programme,
            organisation=prefecture,
        ),
        *[
            User(email=email(slug, domain), full_name=f"専門官 {label}", role=Role.SPECIALIST, programme=programme)
            for domain, label in Domain.choices
        ],
        *[
            User(
                email=email(slug, f"staff-{m.code}"),
                full_name=f"{m.name} 職員",
                role=Role.MUNICIPAL,
                programme=programme,
                organisation=m,
            )
            for m in municipalities
        ],
    ]
    for person in people:
        person.password = unusable
    User.objects.bulk_create(people)
    # The centre's accounts have a second factor, as they must before using the portal (accounts.two_factor).
    Authenticator.objects.bulk_create(
        [
            Authenticator(user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(generate_totp_secret())})
            for user in User.objects.filter(programme=programme, role__in=sorted(REQUIRED_ROLES))
        ]
    )
    specialists = User.objects.filter(programme=programme, role=Role.SPECIALIST)
    Specialist.objects.bulk_create(
        [
            Specialist(user=user, domain=user.email.split("@")[0], title="DX推進専門官", active_from=joined, profile="")
            for user in specialists
        ]
    )
    return programme


def _status_for(age_days: int, rng: random.Random) -> str:
    if age_days > 90:
        return Status.ANSWERED if rng.random() < 0.02 else Status.CLOSED
    statuses, weights = zip(*RECENT_STATUSES, strict=True)
    return rng.choices(statuses, weights)[0]


def _fill(programme: Programme, count: int, *, seed: int, now: dt.datetime) -> int:
    """Add `count` requests to the programme, spread over the last YEARS fiscal years."""
    if count <= 0:
        return 0
    rng = random.Random(seed)
    texts = json.loads(REQUESTS_FILE.read_text(encoding="utf-8"))
    staff = {
        user.organisation_id: user
        for user in User.objects.filter(programme=programme, role__in=[Role.MUNICIPAL, Role.PREFECTURE]).select_related(
            "organisation"
        )
    }
    organisations = [user.organisation for user in staff.values()]
    specialists = {s.domain: s for s in Specialist.objects.filter(user__programme=programme).select_related("user")}
    coordinator = User.objects.get(email=email(programme.slug, "coordinator"))
    counters = {c.fiscal_year: c for c in ReferenceCounter.objects.filter(programme=programme)}
    span = dt.timedelta(days=365 * YEARS)
    moments = sorted(now - span * rng.random() for _ in range(count))
    with _historical_times():
        for start in range(0, count, CHUNK):
            _fill_chunk(
                programme,
                moments[start : start + CHUNK],
                rng=rng,
                texts=texts,
                staff=staff,
                organisations=organisations,
                specialists=specialists,
                coordinator=coordinator,
                counters=counters,
                now=now,
            )
    for counter in counters.values():
        counter.save()
    return count


@transaction.atomic
def _fill_chunk(programme, moments, *, rng, texts, staff, organisations, specialists, coordinator, counters, now):
    rows = []
    for submitted_at in moments:
        text = rng.choice(texts)
        organisation = rng.choice(organisations)
        age_days = (now - submitted_at).days
        status = Status.DRAFT if rng.random() < 0.003 else _status_for(age_days, rng)
        domain = text.get("domain") or rng.choice(Domain.values)
        if rng.random() < 0.15:
            domain = rng.choice(Domain.values)  # the requester's guess is not always the specialist's domain
        consultation = Consultation(
            programme=programme,
            organisation=organisation,
            requester=staff[organisation.pk],
            title=text["title"],
            description=text["description"],
            requested_domain=text.get("domain", ""),
            urgency=rng.choice([Urgency.LOW, Urgency.NORMAL, Urgency.NORMAL, Urgency.HIGH]),
            help_format=rng.choice(HelpFormat.values),
            confidential=rng.random() < 0.05,
            status=status,
            suggested_domain=domain,
            created_at=submitted_at - dt.timedelta(minutes=rng.randint(5, 600)),
        )
        if status != Status.DRAFT:
            fiscal_year = fiscal_year_of(submitted_at)
            counter = counters.get(fiscal_year) or counters.setdefault(
                fiscal_year, ReferenceCounter.objects.create(programme=programme, fiscal_year=fiscal_year)
            )
            counter.last += 1
            consultation.fiscal_year = fiscal_year
            consultation.sequence = counter.last
            consultation.reference = f"{programme.reference_prefix}-{fiscal_year}-{counter.last:04d}"
            consultation.submitted_at = submitted_at
        if status not in (Status.DRAFT, Status.SUBMITTED):
            consultation.specialist = specialists[domain]
        routed_at = submitted_at + dt.timedelta(hours=rng.randint(1, 60))
        answered_at = routed_at + dt.timedelta(days=rng.randint(1, 20))
        if status in (Status.ANSWERED, Status.CLOSED):
            consultation.answered_at = min(answered_at, now)
        if status == Status.CLOSED:
            consultation.closed_at = min(answered_at + dt.timedelta(days=rng.randint(1, 14)), now)
            if rng.random() < 0.6:
                consultation.satisfaction = rng.choices([1, 2, 3, 4, 5], [1, 2, 8, 20, 25])[0]
        consultation.updated_at = consultation.closed_at or consultation.answered_at or submitted_at
        consultation.search_text = textsearch.document(
            consultation.reference,
            consultation.title,
            consultation.description,
            organisation.name,
            organisation.name_en,
        )
        rows.append(consultation)
    Consultation.objects.bulk_create(rows, batch_size=1000)

    routings, messages, events, watchers, replied = [], [], [], [], []
    for consultation in rows:
        watchers.append(Watcher(consultation=consultation, user=consultation.requester))
        if consultation.status == Status.DRAFT:
            events.append(_event(consultation, consultation.requester, EventKind.CREATED, consultation.created_at))
            continue
        at = consultation.submitted_at
        events.append(
            _event(consultation, consultation.requester, EventKind.STATUS, at, Status.DRAFT, Status.SUBMITTED)
        )
        specialist = consultation.specialist
        if specialist is None:
            continue
        routed_at = at + dt.timedelta(hours=2)
        routing = Routing(
            consultation=consultation,
            specialist=specialist,
            domain=specialist.domain,
            routed_by=coordinator,
            suggested_domain=consultation.suggested_domain,
            routed_at=routed_at,
        )
        routings.append(routing)
        watchers.append(Watcher(consultation=consultation, user=specialist.user))
        events.append(
            _event(consultation, coordinator, EventKind.ROUTED, routed_at, data={"domain": specialist.domain})
        )
        events.append(_event(consultation, coordinator, EventKind.STATUS, routed_at, Status.SUBMITTED, Status.ROUTED))
        if consultation.status == Status.ROUTED:
            continue
        replies = {Status.IN_PROGRESS: 1, Status.WAITING: 2, Status.ANSWERED: 2, Status.CLOSED: rng.randint(1, 3)}
        moment = routed_at
        for number in range(replies[consultation.status]):
            moment += dt.timedelta(hours=rng.randint(2, 72))
            author = specialist.user if number % 2 == 0 else consultation.requester
            message = Message(
                consultation=consultation,
                author=author,
                kind=MessageKind.REPLY,
                body=REPLIES[number % len(REPLIES)],
                created_at=min(moment, timezone.now()),
            )
            messages.append(message)
            replied.append(consultation.pk)
        if consultation.answered_at:
            events.append(
                _event(
                    consultation,
                    specialist.user,
                    EventKind.STATUS,
                    consultation.answered_at,
                    Status.IN_PROGRESS,
                    Status.ANSWERED,
                )
            )
        if consultation.closed_at:
            events.append(
                _event(consultation, None, EventKind.STATUS, consultation.closed_at, Status.ANSWERED, Status.CLOSED)
            )
    Routing.objects.bulk_create(routings, batch_size=2000)
    Message.objects.bulk_create(messages, batch_size=2000)
    # The last visible reply's side and time, as the reply service keeps them (two UPDATEs over this chunk).
    latest = Message.objects.filter(consultation=OuterRef("pk"), kind=MessageKind.REPLY).order_by("-created_at", "-id")
    chunk = Consultation.objects.filter(pk__in=set(replied))
    chunk.update(last_reply_at=Subquery(latest.values("created_at")[:1]))
    chunk.update(
        last_reply_by=Case(
            When(organisation_id=Subquery(latest.values("author__organisation_id")[:1]), then=Value(Party.REQUESTER)),
            default=Value(Party.ASSIGNEE),
        )
    )
    Event.objects.bulk_create(events, batch_size=2000)
    Watcher.objects.bulk_create(watchers, batch_size=2000, ignore_conflicts=True)


def _event(consultation, actor, kind, at, from_status="", to_status="", data=None) -> Event:
    event = Event(
        consultation=consultation,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )
    event.created_at = at
    return event


def national_fill(*, requests: int, others: int = 300, now: dt.datetime | None = None) -> FillResult:
    now = now or timezone.now()
    if not LocalGovernment.objects.filter(kind="prefecture").exists():
        local_governments_import()
    today = timezone.localdate(now)
    prefectures = list(LocalGovernment.objects.prefectures().order_by("code"))
    programmes = [_programme(prefecture, index, today) for index, prefecture in enumerate(prefectures)]
    created = 0
    for programme in programmes:
        existing = Consultation.objects.filter(programme=programme).count()
        if programme.slug == BIG_PROGRAMME:
            created += _fill(programme, requests - existing, seed=existing + 1, now=now)
        elif existing == 0:
            created += _fill(programme, others, seed=int(programme.prefecture.code), now=now)
    _long_thread(next(p for p in programmes if p.slug == BIG_PROGRAMME))
    total = Consultation.objects.filter(programme__slug=BIG_PROGRAMME).count()
    return FillResult(programmes=len(programmes), created=created, total=total)


def _long_thread(programme: Programme) -> None:
    """Give the programme's newest request in progress a thread of LONG_THREAD messages (once)."""
    consultation = (
        Consultation.objects.filter(programme=programme, status=Status.IN_PROGRESS, specialist__isnull=False)
        .select_related("specialist__user", "requester")
        .order_by("-submitted_at")
        .first()
    )
    if consultation is None or Message.objects.filter(consultation__programme=programme).count() == 0:
        return
    missing = LONG_THREAD - consultation.messages.count()
    if (
        missing <= 0
        or Message.objects.filter(consultation__programme=programme, body__startswith="［長いやり取り］").exists()
    ):
        return
    authors = [consultation.specialist.user, consultation.requester]
    Message.objects.bulk_create(
        [
            Message(
                consultation=consultation,
                author=authors[number % 2],
                kind=MessageKind.REPLY,
                body=f"{MARK}{number + 1}件目: " + REPLIES[number % len(REPLIES)],
            )
            for number in range(missing)
        ]
    )
