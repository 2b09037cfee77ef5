"""Thin tasks: ids in, services called. Each is safe to run twice (the services claim rows before sending)."""

from celery import shared_task

from notifications import services


@shared_task(
    name="notifications.send_notification",
    acks_late=True,
    autoretry_for=(OSError,),  # smtplib.SMTPException is an OSError
    retry_backoff=True,
    max_retries=5,
)
def send_notification(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(
    name="notifications.send_digests", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_digests() -> int:
    """Daily (beat): one e-mail per person who chose the digest, listing what waited for them."""
    return services.digests_send()


@shared_task(name="notifications.release_stale_notifications", acks_late=True)
def release_stale_notifications() -> int:
    """Every quarter of an hour (beat): rows a dead worker claimed become claimable again."""
    return services.notifications_release_stale()
