"""Page benchmarks: how long the consultation pages take, and how many queries they run, with many requests.

Run with the settings you want to measure (PostgreSQL recommended):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python scripts/benchmark.py [--requests 2000]
It builds a throw-away test database (test_<name>), fills it, times each page and prints the figures.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxshare.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(n_requests: int):
    from accounts.enums import Role
    from consultations.enums import Status
    from consultations.models import Consultation, Message, Routing
    from specialists.enums import Domain
    from tests import factories

    programme = factories.ProgrammeFactory(reference_prefix="EH")
    towns = [factories.MembershipFactory(programme=programme).municipality for _ in range(20)]
    staff = factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=towns[0])
    coordinator = factories.UserFactory(role=Role.COORDINATOR, programme=programme)
    specialists = [factories.SpecialistFactory(user__programme=programme, domain=d) for d in Domain.values]
    now = timezone.now()
    statuses = [Status.SUBMITTED, Status.ROUTED, Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED]
    rows = []
    for i in range(n_requests):
        status = statuses[i % len(statuses)]
        rows.append(
            Consultation(
                programme=programme,
                organisation=towns[i % 20],
                requester=staff,
                reference=f"EH-2026-{i + 1:04d}",
                fiscal_year=2026,
                sequence=i + 1,
                title=f"相談 {i}",
                description="データ利活用について相談したいです。" * 5,
                status=status,
                submitted_at=now,
                specialist=None if status == Status.SUBMITTED else specialists[i % 5],
            )
        )
    Consultation.objects.bulk_create(rows, batch_size=1000)
    routed = list(Consultation.objects.exclude(status=Status.SUBMITTED))
    Routing.objects.bulk_create(
        [
            Routing(consultation=c, specialist=c.specialist, domain=c.specialist.domain, routed_by=coordinator)
            for c in routed
        ],
        batch_size=1000,
    )
    Message.objects.bulk_create(
        [Message(consultation=c, author=coordinator, body="返信です。" * 20) for c in routed for _ in range(3)],
        batch_size=1000,
    )
    busy = next(c for c in routed if c.status == Status.ROUTED)
    Message.objects.bulk_create([Message(consultation=busy, author=coordinator, body=f"{i}") for i in range(200)])
    return staff, coordinator, specialists[0].user, busy


def measure(client, url, repeat):
    client.get(url)  # warm up
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), max(timings), len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        staff, coordinator, specialist, busy = build(args.requests)
        print(f"{connection.vendor}: {args.requests} requests built in {time.perf_counter() - started:.1f} s")
        pages = [
            ("routing inbox (coordinator)", coordinator, "/consultations/inbox/"),
            ("queue (coordinator)", coordinator, "/consultations/"),
            (
                "queue filtered + search",
                coordinator,
                "/consultations/?status=routed&q=%E7%9B%B8%E8%AB%87&ordering=-submitted",
            ),
            ("queue (specialist, mine)", specialist, "/consultations/?mine=true"),
            ("municipality's list", staff, "/consultations/"),
            ("detail with 203 messages", coordinator, f"/consultations/{busy.pk}/"),
            ("route page", coordinator, f"/consultations/{busy.pk}/route/"),
        ]
        print(f"{'page':<32}{'median ms':>10}{'max ms':>9}{'queries':>9}")
        for label, user, url in pages:
            client = Client()
            client.force_login(user)
            median, worst, queries = measure(client, url, args.repeat)
            print(f"{label:<32}{median:>10.1f}{worst:>9.1f}{queries:>9}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
