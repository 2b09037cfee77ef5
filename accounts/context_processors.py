"""Navigation per person, built from URL names only (accounts imports no feature)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import scope, two_factor


def _in_programme(user) -> bool:
    return scope.is_signed_in(user) and user.programme_id is not None


def _anyone(user) -> bool:
    return _in_programme(user) or scope.is_site_admin(user)


def _centre_or_admin(user) -> bool:
    return scope.is_centre(user) or scope.is_site_admin(user)


def _reads_figures(user) -> bool:
    return _in_programme(user) and scope.reads_figures(user, user.programme)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    shown_to: Callable[[object], bool]
    needs_programme: bool = False


NAVIGATION = [
    NavItem("home", _("Home"), _anyone),
    NavItem("consultations:list", _("Consultations"), _anyone),
    NavItem("consultations:inbox", _("Routing inbox"), _centre_or_admin),
    NavItem("visits:calendar", _("Calendar"), _in_programme),
    NavItem("visits:events", _("Events"), _in_programme),
    NavItem("knowledge:library", _("Library"), _anyone),
    NavItem("municipalities:communities", _("Communities"), _anyone),
    NavItem("knowledge:partner_list", _("Partners"), _anyone),
    NavItem("knowledge:need_list", _("Needs"), _in_programme),
    NavItem("municipalities:programme", _("Programme"), _in_programme, needs_programme=True),
    NavItem("reports:dashboard", _("Figures"), _reads_figures, needs_programme=True),
    NavItem("municipalities:programme_list", _("Programmes"), scope.is_site_admin),
    NavItem("specialists:list", _("Specialists"), _anyone),
    NavItem("specialists:people", _("People"), _centre_or_admin),
    NavItem("reports:surveys", _("Surveys"), scope.is_organisation_staff),
    NavItem("notifications:preferences", _("E-mail settings"), _anyone),
    NavItem("accounts:two_factor_required", _("Sign-in security"), _anyone),
    NavItem("audit:trail", _("Audit trail"), scope.reads_audit),
    NavItem("admin:index", _("Admin site"), scope.is_site_admin),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    # Someone who must set up a second step first is shown only the page that does it (the others would lead back).
    enrolling = two_factor.enrolment_pending(request)
    items = []
    for item in NAVIGATION:
        if not item.shown_to(user) or (enrolling and item.url_name != "accounts:two_factor_required"):
            continue
        try:
            if item.needs_programme:
                url = reverse(item.url_name, kwargs={"slug": user.programme.slug})
            else:
                url = reverse(item.url_name)
        except (NoReverseMatch, AttributeError):
            continue
        items.append({"url": url, "label": item.label, "current": current == item.url_name})
    return {"nav_items": items}
