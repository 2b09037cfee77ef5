from celery import shared_task


@shared_task(name="dxshare.ping")
def ping() -> str:
    """Round trip used by the health check and the tests to prove a worker is consuming."""
    return "pong"
