from celery import shared_task

from consultations.services import consultations_auto_close


@shared_task(name="consultations.auto_close")
def auto_close_answered() -> int:
    """Daily: close requests left answered without a response (CONSULTATION_AUTO_CLOSE_DAYS)."""
    return consultations_auto_close()
