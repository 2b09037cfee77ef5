from celery import shared_task


@shared_task(name="dxshare.ping", ignore_result=False)
def ping() -> str:
    """Round trip that proves a worker consumes from the broker (tests, and `celery -A dxshare call dxshare.ping`)."""
    return "pong"
