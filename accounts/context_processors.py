"""Navigation per role, built from URL names only (accounts imports no feature)."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.enums import CENTRE_ROLES, Role

SITE_ADMIN = Role.SITE_ADMIN
CENTRE = set(CENTRE_ROLES)
PROGRAMME_ROLES = {Role.MUNICIPAL, Role.PREFECTURE, Role.SPECIALIST, *CENTRE_ROLES}


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset
    needs_programme: bool = False


NAVIGATION = [
    NavItem("home", _("Home"), frozenset(PROGRAMME_ROLES | {SITE_ADMIN})),
    NavItem("consultations:list", _("Consultations"), frozenset(PROGRAMME_ROLES | {SITE_ADMIN})),
    NavItem("consultations:inbox", _("Routing inbox"), frozenset(CENTRE | {SITE_ADMIN})),
    NavItem("municipalities:programme", _("Programme"), frozenset(PROGRAMME_ROLES), needs_programme=True),
    NavItem("municipalities:programme_list", _("Programmes"), frozenset({SITE_ADMIN})),
    NavItem("specialists:list", _("Specialists"), frozenset(PROGRAMME_ROLES | {SITE_ADMIN})),
    NavItem("specialists:people", _("People"), frozenset(CENTRE | {SITE_ADMIN})),
    NavItem("notifications:preferences", _("E-mail settings"), frozenset(PROGRAMME_ROLES | {SITE_ADMIN})),
    NavItem("admin:index", _("Admin site"), frozenset({SITE_ADMIN})),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = SITE_ADMIN if user.is_superuser else user.role
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in NAVIGATION:
        if role not in item.roles:
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
