"""The tasks are registered under stable names, and beat runs them on schedule in Tokyo time."""

from celery.schedules import crontab

from dxshare.celery import app


def test_the_tasks_are_registered_under_their_names():
    app.loader.import_default_modules()
    assert {
        "notifications.send_notification",
        "notifications.send_digests",
        "notifications.send_digest",
        "notifications.sweep",
        "reports.weekly_digests",
    } <= set(app.tasks)
    assert app.tasks["notifications.send_notification"].acks_late


def test_beat_sends_the_digest_at_eight_tokyo_time_and_sweeps_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert app.conf.timezone == settings.TIME_ZONE == "Asia/Tokyo"
    digest = schedule["notifications-send-digests"]
    assert digest["task"] == "notifications.send_digests"
    assert digest["schedule"] == crontab(hour=8, minute=0)
    sweep = schedule["notifications-sweep"]
    assert sweep["task"] == "notifications.sweep" and sweep["schedule"] == 60.0  # every minute
    weekly = schedule["reports-weekly-digests"]
    assert weekly["task"] == "reports.weekly_digests" and weekly["schedule"] == crontab(minute=5)  # hourly
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry
