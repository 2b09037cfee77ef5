"""The audit page and its export: thin views over audit.selectors. Only site administrators and centre heads."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import scope
from accounts.models import User
from accounts.security_log import Kind
from audit import selectors, sign_ins
from audit.forms import AuditFilterForm, SignInFilterForm
from reports import exports


def _person_id(email: str) -> int | None:
    """The person a filter names by e-mail address; -1 (no rows, rather than everybody's) if nobody has it."""
    if not email:
        return None
    person = User.objects.filter(email__iexact=email).only("pk").first()
    return person.pk if person else -1


def _filters(request) -> tuple[AuditFilterForm, selectors.Filters, bool]:
    if not scope.reads_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, selectors.Filters(), True
    if not form.is_valid():
        return form, selectors.Filters(), False
    data = form.cleaned_data
    filters = selectors.Filters(
        person_id=_person_id(data["person"]),
        trail=data["trail"] or "",
        object_id=data["object_id"],
        since=data["since"],
        until=data["until"],
    )
    return form, filters, True


@login_required
def trail(request):
    form, filters, valid = _filters(request)
    cursor = selectors.decode_cursor(request.GET.get("cursor", ""))
    page, next_cursor = selectors.entries(request.user, filters, cursor=cursor) if valid else ([], None)
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "cursor" and v])
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "entries": page,
            "next_cursor": selectors.encode_cursor(next_cursor),
            "query": query,
            "first_page": cursor is None,
        },
        status=200 if valid else 400,
    )


@login_required
def export(request):
    form, filters, valid = _filters(request)
    if not valid:
        return render(request, "audit/trail.html", {"form": form, "entries": [], "first_page": True}, status=400)
    page, _more = selectors.entries(request.user, filters, limit=selectors.EXPORT_MAX)
    header = [
        _("When"),
        _("Kind of record"),
        _("Record number"),
        _("What"),
        _("Who"),
        _("Page"),
        _("IP address"),
        _("Changes"),
    ]
    rows = (
        [
            timezone.localtime(entry.at).replace(tzinfo=None),
            str(entry.trail.label),
            entry.object_id,
            {"created": _("created"), "deleted": _("deleted")}.get(entry.label, _("changed")),
            entry.person.email
            if entry.person
            else _("(not signed in)")
            if entry.context
            else _("(no request: shell, task or SQL)"),
            entry.context.get("url", ""),
            entry.context.get("ip", ""),
            "; ".join(f"{name}: {old} → {new}" if old else f"{name}: {new}" for name, old, new in entry.changes),
        ]
        for entry in page
    )
    name = f"audit-{timezone.localdate():%Y%m%d}"
    return exports.csv_response(exports.Table(name=name, header=header, rows=rows))


def _sign_in_filters(request) -> tuple[SignInFilterForm, sign_ins.Filters, bool]:
    if not scope.reads_audit(request.user):
        raise PermissionDenied
    form = SignInFilterForm(request.GET or None)
    if not form.is_bound:
        return form, sign_ins.Filters(), True
    if not form.is_valid():
        return form, sign_ins.Filters(), False
    data = form.cleaned_data
    return form, sign_ins.Filters(_person_id(data["person"]), data["kind"] or "", data["since"], data["until"]), True


@login_required
def sign_in_log(request):
    form, filters, valid = _sign_in_filters(request)
    page = sign_ins.page_for(request.user, filters, request.GET.get("cursor") if valid else None)
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "cursor" and v])
    kinds = dict(Kind.choices)
    for event in page.object_list:
        event.kind_label = kinds.get(event.kind, event.kind)
    return render(
        request,
        "audit/sign_ins.html",
        {"form": form, "page": page if valid else None, "query": query},
        status=200 if valid else 400,
    )


@login_required
def sign_in_export(request):
    form, filters, valid = _sign_in_filters(request)
    if not valid:
        return render(request, "audit/sign_ins.html", {"form": form, "page": None}, status=400)
    kinds = dict(Kind.choices)
    events = sign_ins.events_for(request.user, filters).order_by(*sign_ins.ORDER)[: selectors.EXPORT_MAX]
    header = [_("When"), _("What"), _("Person"), _("E-mail address given"), _("Done by"), _("IP address"), _("Browser")]
    rows = (
        [
            timezone.localtime(event.at).replace(tzinfo=None),
            str(kinds.get(event.kind, event.kind)),
            event.user.email if event.user else "",
            event.email,
            event.actor.email if event.actor else "",
            event.ip or "",
            event.user_agent,
        ]
        for event in events.iterator(chunk_size=500)
    )
    name = f"sign-ins-{timezone.localdate():%Y%m%d}"
    return exports.csv_response(exports.Table(name=name, header=header, rows=rows))
