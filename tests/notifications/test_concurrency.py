"""Real concurrency on PostgreSQL: two workers at once, and every row is still sent exactly once."""

import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction

from accounts.enums import EmailDelivery
from notifications import services
from notifications.models import Notification
from tests import factories
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SlowBackend(EmailBackend):
    """An SMTP server that takes its time, so that two runs overlap while one is still sending."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _postgres_only(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); `make test` runs on it")
    settings.EMAIL_BACKEND = "tests.notifications.test_concurrency.SlowBackend"


def test_digest_runs_at_once_send_each_row_once(programme):
    """Three daily runs at the same moment each hand every reader over (the tasks run in their threads): the claim, one
    conditional UPDATE per person, decides who sends which rows."""
    readers = [
        factories.UserFactory(programme=programme, email_delivery=EmailDelivery.DIGEST, language=language)
        for language in ["ja", "en"] * 4
    ]
    subjects = []
    for reader in readers:
        for n in range(3):
            subjects.append(f"row-{reader.pk}-{n}")
            factories.NotificationFactory(recipient=reader, subject=subjects[-1])

    results = run_together(services.digests_send, services.digests_send, services.digests_send)

    assert all(isinstance(result, int) for result in results), results
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)  # one e-mail per person
    bodies = "\n".join(m.body for m in mail.outbox)
    assert all(bodies.count(f"{subject}\n") == 1 for subject in subjects)  # every row listed exactly once
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_two_digest_tasks_for_one_person_send_one_e_mail(programme):
    reader = factories.UserFactory(programme=programme, email_delivery=EmailDelivery.DIGEST)
    for n in range(5):
        factories.NotificationFactory(recipient=reader, subject=f"row-{n}")
    results = run_together(*[lambda: services.digest_send_to(recipient_id=reader.pk)] * 3)
    assert sorted(results) == [False, False, True], results
    assert len(mail.outbox) == 1 and all(f"row-{n}" in mail.outbox[0].body for n in range(5))


def test_two_workers_sending_the_same_row_send_it_once(municipal_user):
    for _ in range(5):
        row = factories.NotificationFactory(recipient=municipal_user)
        results = run_together(*[lambda pk=row.pk: services.notification_send(notification_id=pk)] * 3)
        assert sorted(results) == [False, False, True], results
    assert len(mail.outbox) == 5


def test_scheduling_the_same_key_at_once_creates_one_row(municipal_user):
    def schedule():
        with transaction.atomic():
            row = services.notification_schedule(
                recipient=municipal_user, kind="test", subject="once", body="b", unique_key="same-event"
            )
            time.sleep(0.2)  # both transactions are open at the same time
        return row.pk

    results = run_together(schedule, schedule)
    assert all(isinstance(result, int) for result in results), results
    assert results[0] == results[1]
    assert Notification.objects.filter(unique_key="same-event").count() == 1
    assert [m.subject for m in mail.outbox] == ["once"]
