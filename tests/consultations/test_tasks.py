import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from consultations.enums import Status
from consultations.services import consultation_change_status
from consultations.tasks import auto_close_answered

pytestmark = pytest.mark.django_db


def test_beat_runs_the_auto_close_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["consultations-auto-close"]
    assert entry["task"] == auto_close_answered.name


def test_the_task_closes_what_waited_too_long(routed, monkeypatch):
    consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=routed.specialist.user)
    later = timezone.now() + dt.timedelta(days=settings.CONSULTATION_AUTO_CLOSE_DAYS, hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert auto_close_answered.delay().get() == 1
    routed.refresh_from_db()
    assert routed.status == Status.CLOSED
