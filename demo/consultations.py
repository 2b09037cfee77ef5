"""Demo consultations across the previous and the current fiscal year, built through the consultation services.

The services stamp times with timezone.now(); the demo moves that clock so the history spreads over two years.
"""

import datetime as dt
import json
import random
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.utils import timezone

from consultations import services
from consultations.enums import Status
from consultations.models import Consultation
from municipalities.models import Programme
from specialists.models import Specialist

DEMO_REQUESTS = Path(__file__).resolve().parent.parent / "consultations" / "data" / "demo_requests.json"


@contextmanager
def clock(moment: dt.datetime):
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def _business_hour(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_default_timezone()).astimezone(dt.UTC)


def _requester_for(description: str, staff: list, index: int):
    """Somebody of the municipality the text speaks for (「今治市環境政策課です」 is filed by Imabari's staff)."""
    opening = description[:20]
    named = [user for user in staff if user.organisation.name in opening]
    # The longest name first: 伊予市 must not take what 四国中央市 or 伊予郡… wrote.
    named.sort(key=lambda user: -len(user.organisation.name))
    if named:
        same = [user for user in named if user.organisation_id == named[0].organisation_id]
        return same[index % len(same)]
    return staff[(index * 7) % len(staff)]


def demo_consultations(programme: Programme, *, today: dt.date | None = None) -> int:
    """Create the demo requests once (idempotent: nothing is added if the programme already has requests)."""
    if Consultation.objects.filter(programme=programme).exists():
        return 0
    today = today or timezone.localdate()
    rng = random.Random(2022)
    requests = json.loads(DEMO_REQUESTS.read_text(encoding="utf-8"))
    staff = list(programme.users.filter(role="municipal").select_related("organisation").order_by("email"))
    coordinators = list(programme.users.filter(role__in=["coordinator", "centre_head"]).order_by("email"))
    specialists = {s.domain: s for s in Specialist.objects.filter(user__programme=programme).select_related("user")}
    # Spread over the last ~500 days, oldest first; the newest few stay open so every page has something to show.
    created = 0
    for index, item in enumerate(requests):
        age_days = int(500 * (len(requests) - index) / len(requests))
        filed = today - dt.timedelta(days=age_days)
        requester = _requester_for(item["description"], staff, index)
        fields = {
            "title": item["title"],
            "description": item["description"],
            "requested_domain": "",
            "urgency": item.get("urgency", "normal"),
            "help_format": item.get("help", "written"),
            "wanted_by": None,
            "timing_note": "",
            "confidential": item.get("confidential", False),
        }
        if index % 3 == 0:
            fields["requested_domain"] = item["domain"]
        with clock(_business_hour(filed, 10)):
            consultation = services.consultation_file(author=requester, fields=fields)
        created += 1
        remaining = len(requests) - index
        if remaining <= 4:
            continue  # waiting in the routing inbox
        coordinator = coordinators[index % len(coordinators)]
        with clock(_business_hour(filed + dt.timedelta(days=1), 11)):
            services.consultation_route(
                consultation=consultation, specialist=specialists[item["domain"]], by=coordinator
            )
        specialist_user = specialists[item["domain"]].user
        with clock(_business_hour(filed + dt.timedelta(days=3), 15)):
            if remaining <= 7:
                continue  # routed, not yet started
            services.consultation_reply(
                consultation=consultation,
                author=specialist_user,
                body="ご相談ありがとうございます。現状の資料や担当課の体制を教えていただけますか。",
                then=Status.WAITING if remaining <= 10 else "",
            )
        if remaining <= 9:
            continue  # waiting for the municipality
        if remaining == 10:
            with clock(_business_hour(filed + dt.timedelta(days=4), 10)):
                services.consultation_reply(
                    consultation=consultation,
                    author=requester,
                    body="資料を添付しました。担当は2名で、来年度から1名増える予定です。",
                )
            continue  # the municipality replied: the specialist's turn
        with clock(_business_hour(filed + dt.timedelta(days=6), 14)):
            services.consultation_reply(
                consultation=consultation,
                author=specialist_user,
                body="他の市町の事例を踏まえた進め方の案をお送りします。次回の訪問時に詳しくご説明します。",
                then=Status.ANSWERED,
            )
        if remaining <= 11:
            continue  # answered, awaiting the municipality's acceptance
        with clock(_business_hour(filed + dt.timedelta(days=8), 9)):
            consultation.refresh_from_db()
            if consultation.status == Status.ANSWERED:
                services.consultation_accept(
                    consultation=consultation,
                    by=requester,
                    rating=rng.choice([3, 4, 4, 5, 5, 5]),
                    comment=rng.choice(["", "具体的で助かりました。", "庁内で共有します。"]),
                )
    return created
