"""The tasks are registered under stable names, and beat runs them on schedule in Tokyo time."""

from celery.schedules import crontab

from dxshare.celery import app


def test_the_tasks_are_registered_under_their_names():
    app.loader.import_default_modules()
    assert {
        "notifications.send_notification",
        "notifications.send_digests",
        "notifications.release_stale_notifications",
    } <= set(app.tasks)
    assert app.tasks["notifications.send_notification"].acks_late


def test_beat_sends_the_digest_at_eight_tokyo_time_and_releases_stale_claims(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert app.conf.timezone == settings.TIME_ZONE == "Asia/Tokyo"
    digest = schedule["notifications-send-digests"]
    assert digest["task"] == "notifications.send_digests"
    assert digest["schedule"] == crontab(hour=8, minute=0)
    stale = schedule["notifications-release-stale"]
    assert stale["task"] == "notifications.release_stale_notifications"
    assert stale["schedule"] == crontab(minute="*/15")
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry
