"""The audit trail: PostgreSQL triggers (django-pghistory) write a snapshot of a tracked row on every insert, update
and delete, whoever makes it: a page, the admin, a Celery task, the shell's `update()`, raw SQL. The snapshots live
in one `…History` table beside each tracked model, protected against UPDATE and DELETE (PGHISTORY_APPEND_ONLY).
Who did it and from which request is the context `audit.middleware` gives each request that writes; a change made
outside a request (shell, task, SQL) has none, and the audit page says so. On SQLite (the quick start) there are no
triggers and no trail.

`tracked(...)` is the one way a model is tracked here, so that every trail has the same three events."""

import pghistory
from django.db import models


def tracked(model_name: str, **kwargs):
    short = model_name.lower().removesuffix("history")[:12]
    indexes = [
        models.Index(fields=["pgh_obj", "-pgh_id"], name=f"{short}_hist_obj_idx"),  # one object's trail
        models.Index(fields=["-pgh_created_at", "-pgh_id"], name=f"{short}_hist_time_idx"),  # newest first
        models.Index(fields=["pgh_context"], name=f"{short}_hist_ctx_idx"),  # one request's (one person's) changes
    ]
    return pghistory.track(
        pghistory.InsertEvent("created"),
        pghistory.UpdateEvent("changed"),
        pghistory.DeleteEvent("deleted"),
        model_name=model_name,
        obj_field=pghistory.ObjForeignKey(related_name="history", related_query_name="history"),
        meta={"indexes": indexes},
        **kwargs,
    )
