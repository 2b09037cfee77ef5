"""The library's sections on the request pages (registered with consultations.panels, which knows no feature)."""

from django.template.loader import render_to_string

from accounts import scope
from consultations import panels
from knowledge import permissions, similar
from knowledge.models import Item


def _similar_section(request, consultation, *, live: bool = False, heading_id: str = "similar-heading") -> str:
    user = request.user
    if not (scope.is_signed_in(user) and user.programme_id):
        return ""
    cases = []
    if consultation is not None:
        cases = similar.similar_cases(
            user,
            subject=consultation.title,
            body=consultation.description,
            domain=consultation.specialist.domain if consultation.specialist_id else consultation.suggested_domain,
            exclude_consultation=consultation.pk,
        )
    if not cases and not live:
        return ""
    return render_to_string(
        "knowledge/includes/similar_panel.html",
        {"cases": cases, "live": live, "heading_id": heading_id, "asked": consultation is not None},
        request=request,
    )


def on_form(request, consultation):
    """While a municipality writes a request: the cases like it, updated as it types (static/js/app.js)."""
    return _similar_section(request, consultation, live=True)


def on_filed(request, consultation):
    return _similar_section(request, consultation)


def on_route(request, consultation):
    return _similar_section(request, consultation)


def on_detail(request, consultation):
    """For specialists and the centre: the case written from this request, or the way to write one."""
    user = request.user
    if consultation.is_draft or not permissions.can_write(user, consultation.programme):
        return ""
    case = Item.objects.filter(consultation=consultation).only("pk", "title", "status").first()
    if case is None and (consultation.confidential or consultation.answered_at is None):
        return ""
    return render_to_string(
        "knowledge/includes/case_panel.html", {"case": case, "consultation": consultation}, request=request
    )


panels.register("form", on_form)
panels.register("filed", on_filed)
panels.register("route", on_route)
panels.register("detail", on_detail)
