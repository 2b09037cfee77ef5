from celery import shared_task

from reports.services import snapshots_refresh_current
from reports.surveys import surveys_open_due
from reports.weekly import weekly_digests_send


@shared_task(name="reports.weekly_digests", acks_late=True, time_limit=600, soft_time_limit=540)
def weekly_digests() -> int:
    """Hourly (beat): the coordinators' weekly digests whose moment has come (written once per ISO week)."""
    return weekly_digests_send()


@shared_task(name="reports.refresh_figures", acks_late=True, time_limit=900, soft_time_limit=840)
def refresh_figures() -> int:
    """Every ten minutes (beat): this fiscal year's figures of every programme, for the dashboards."""
    return snapshots_refresh_current()


@shared_task(name="reports.open_surveys", acks_late=True, time_limit=600, soft_time_limit=540)
def open_surveys() -> int:
    """Every quarter of an hour (beat): the surveys of visits done, events ended and requests closed (once each)."""
    return surveys_open_due()


@shared_task(name="reports.build_export", acks_late=True, time_limit=900, soft_time_limit=840)
def build_export(job_id: int) -> bool:
    """A workbook too long to write while the person waits."""
    from reports.background import export_job_build

    return export_job_build(job_id=job_id)
