"""Who made the changes of a request, for the audit trail's triggers (dxshare.history).

pghistory's own middleware prefixes every statement with `SELECT set_config(...);`, two statements in one, which
PostgreSQL refuses for prepared statements (DATABASE_PREPARED_STATEMENTS). Here the context is set once at the start
of a request that may write (POST, PUT, PATCH, DELETE), for the connection's session, and cleared when the response is
ready; the triggers read it through pghistory's `_pgh_attach_context()`. A GET writes nothing anybody audits (its
session and last-seen times are not tracked)."""

import json
import uuid

from django.db import connection

from accounts.security_log import client_ip

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SET = "SELECT set_config('pghistory.context_id', %s, false), set_config('pghistory.context_metadata', %s, false)"


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in WRITES or connection.vendor != "postgresql":
            return self.get_response(request)
        user = getattr(request, "user", None)
        metadata = {
            "user": user.pk if user is not None and user.is_authenticated else None,
            "url": request.path[:500],
            "method": request.method,
            "ip": client_ip(request),
        }
        with connection.cursor() as cursor:
            cursor.execute(SET, [str(uuid.uuid4()), json.dumps(metadata)])
        try:
            return self.get_response(request)
        finally:
            _clear()


def _clear() -> None:
    """The connection outlives the request (CONN_MAX_AGE): the next request must not inherit this one's context."""
    try:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(SET, ["", ""])
    except Exception:  # noqa: BLE001, S110 - a broken connection is closed and its settings with it
        pass
