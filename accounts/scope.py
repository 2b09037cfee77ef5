"""What may this user see and do? The one place that answers it; every feature's selectors and views call it.

The rules:
- anonymous or deactivated users see nothing (views send them to the login page);
- site administrators see every programme;
- everyone else sees only their own programme; municipal staff, within it, only their own municipality's rows;
- prefecture staff, specialists and the support centre see their whole programme.

An object outside a user's scope answers 404, never 403: a user must not learn that it exists.
Features describe where their rows keep the programme and the organisation with lookup paths, e.g.
``scope_queryset(Consultation.objects.all(), user, programme="programme", organisation="organisation")``.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.enums import CENTRE_ROLES, ORGANISATION_ROLES, Role

# --- Who somebody is: each kind of person is defined here once; User's properties and templates ask these. ----------


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_site_admin(user) -> bool:
    """Runs the site: every programme, the Django admin."""
    return is_signed_in(user) and (user.role == Role.SITE_ADMIN or user.is_superuser)


def is_centre(user) -> bool:
    """The programme's support centre (coordinators and the centre head)."""
    return is_signed_in(user) and user.role in CENTRE_ROLES


def is_organisation_staff(user) -> bool:
    """Speaks for one local government (a member municipality or the prefecture): files requests for it."""
    return is_signed_in(user) and user.role in ORGANISATION_ROLES and user.organisation_id is not None


def is_municipal(user) -> bool:
    return is_signed_in(user) and user.role == Role.MUNICIPAL


def is_specialist(user) -> bool:
    return is_signed_in(user) and user.role == Role.SPECIALIST


def scope_filter(user, *, programme: str, organisation: str | None = None) -> Q | None:
    """A Q limiting rows to the user's scope; None means no limit (site administrator).

    `programme` is the lookup path from the row to its programme id (e.g. "programme", "user__programme");
    `organisation`, if the rows belong to one local government, the path to it (e.g. "organisation").
    """
    if not is_signed_in(user):
        return Q(pk__in=[])
    if is_site_admin(user):
        return None
    if user.programme_id is None:
        return Q(pk__in=[])
    condition = Q(**{programme: user.programme_id})
    if organisation is not None and user.role == Role.MUNICIPAL:
        condition &= Q(**{organisation: user.organisation_id})
    return condition


def scope_queryset(queryset: QuerySet, user, *, programme: str, organisation: str | None = None) -> QuerySet:
    condition = scope_filter(user, programme=programme, organisation=organisation)
    return queryset if condition is None else queryset.filter(condition)


def get_in_scope_or_404(queryset: QuerySet, user, *, programme: str, organisation: str | None = None, **lookup):
    return get_object_or_404(scope_queryset(queryset, user, programme=programme, organisation=organisation), **lookup)


def can_see_programme(user, programme) -> bool:
    return is_site_admin(user) or (is_signed_in(user) and user.programme_id == programme.pk)


def can_manage_programme(user, programme) -> bool:
    """The programme's own settings (e.g. the support centre's contact): its centre, or a site administrator."""
    return is_site_admin(user) or (is_centre(user) and user.programme_id == programme.pk)


def reads_figures(user, programme) -> bool:
    """The programme's figures (the dashboard): its centre and its prefecture's staff, and site administrators."""
    if is_site_admin(user):
        return True
    return (
        is_signed_in(user) and user.programme_id == programme.pk and (is_centre(user) or user.role == Role.PREFECTURE)
    )


def reads_audit(user) -> bool:
    """The audit trail and the sign-in log: site administrators (every programme), the centre head (their own)."""
    return is_site_admin(user) or (is_signed_in(user) and user.role == Role.CENTRE_HEAD)


def can_invite(user, programme=None) -> bool:
    """Coordinators and the centre head invite people into their own programme; site admins anywhere."""
    if is_site_admin(user):
        return True
    return is_centre(user) and (programme is None or user.programme_id == programme.pk)


def invitable_roles(user) -> list[Role]:
    if is_site_admin(user):
        return [role for role in Role if role != Role.SITE_ADMIN]
    if user.role == Role.CENTRE_HEAD:
        return [Role.MUNICIPAL, Role.PREFECTURE, Role.SPECIALIST, Role.COORDINATOR, Role.CENTRE_HEAD]
    if user.role == Role.COORDINATOR:
        return [Role.MUNICIPAL, Role.PREFECTURE, Role.SPECIALIST, Role.COORDINATOR]
    return []
