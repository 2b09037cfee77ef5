from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import scope
from consultations import selectors
from dxshare.celery import app as celery_app


@login_required
def home(request):
    """Each role's starting point: what waits for this person first (consultations.selectors.todo_for), then what
    they can do here, one click away."""
    return render(request, "home.html", {"todo": selectors.todo_for(request.user)})


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: the database answers and the broker accepts connections.

    The world reads only the status, 200 or 503; site administrators, and a monitor sending HEALTHZ_TOKEN in the
    X-Health-Token header, read which part failed (never the exception's text)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    status = 200 if healthy else 503
    if _may_read_health(request):
        return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=status)
    return HttpResponse("ok\n" if healthy else "unavailable\n", status=status, content_type="text/plain")


def _may_read_health(request) -> bool:
    token = settings.HEALTHZ_TOKEN
    sent = request.headers.get("X-Health-Token", "")
    if token and sent and constant_time_compare(sent, token):
        return True
    return scope.is_site_admin(request.user)
