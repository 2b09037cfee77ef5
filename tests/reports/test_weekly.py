"""The coordinators' weekly digest: on the programme's day and hour, once per week whatever runs it, with the week's
figures."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from municipalities.models import ReminderPolicy
from notifications.models import Notification
from reports.weekly import WEEKLY_DIGEST, moment_of_week, weekly_digests_send
from tests import factories
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def test_the_moment_is_the_programmes_day_and_hour_in_tokyo():
    policy = ReminderPolicy(weekly_digest_weekday=4, weekly_digest_hour=17)  # Friday 17:00
    thursday = dt.datetime(2026, 11, 26, 12, tzinfo=TOKYO)
    assert moment_of_week(policy, thursday) == dt.datetime(2026, 11, 27, 17, tzinfo=TOKYO)


def test_sent_once_a_week_at_the_chosen_moment(
    programme, coordinator, municipal_user, django_capture_on_commit_callbacks
):
    ReminderPolicy.objects.create(programme=programme, weekly_digest_weekday=0, weekly_digest_hour=8)
    make_request(municipal_user, title="週報に載る相談")
    make_request(municipal_user, title="極秘の相談", confidential=True)
    monday_7 = dt.datetime(2026, 11, 30, 7, 5, tzinfo=TOKYO)
    assert weekly_digests_send(now=monday_7) == 0
    mail.outbox.clear()
    monday_8 = dt.datetime(2026, 11, 30, 8, 5, tzinfo=TOKYO)
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_digests_send(now=monday_8) == 1
    assert weekly_digests_send(now=monday_8) == 0  # a second beat, a retry: nothing more
    assert weekly_digests_send(now=dt.datetime(2026, 12, 2, 9, 5, tzinfo=TOKYO)) == 0  # later that week
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "週報に載る相談" in body and "極秘の相談" not in body  # a confidential request: its reference only
    assert Notification.objects.filter(kind=WEEKLY_DIGEST).count() == 1
    # The next week, again once.
    assert weekly_digests_send(now=monday_8 + dt.timedelta(days=7)) == 1


def test_an_hour_missed_while_beat_was_down_is_caught_up(programme, coordinator):
    ReminderPolicy.objects.create(programme=programme, weekly_digest_weekday=0, weekly_digest_hour=8)
    tuesday = dt.datetime(2026, 12, 1, 10, 5, tzinfo=TOKYO)
    assert weekly_digests_send(now=tuesday) == 1


def test_only_the_centre_of_each_programme_receives_its_own(programme, coordinator, other_coordinator, municipal_user):
    factories.UserFactory(role="coordinator", programme=programme, is_active=False)
    sent = weekly_digests_send(now=dt.datetime(2026, 11, 30, 9, tzinfo=TOKYO))
    assert sent == 2  # one for each programme's coordinator, not the inactive one nor the municipality
    recipients = set(Notification.objects.filter(kind=WEEKLY_DIGEST).values_list("recipient_id", flat=True))
    assert recipients == {coordinator.pk, other_coordinator.pk}
