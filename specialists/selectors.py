from django.db.models import QuerySet

from accounts import scope
from accounts.enums import CENTRE_ROLES
from accounts.models import User
from specialists.models import Specialist


def specialists_visible_to(user) -> QuerySet[Specialist]:
    return scope.scope_queryset(Specialist.objects.select_related("user__programme"), user, programme="user__programme")


def centre_staff(programme) -> QuerySet[User]:
    return User.objects.filter(programme=programme, role__in=list(CENTRE_ROLES), is_active=True).order_by(
        "-role", "full_name"
    )


def people_visible_to(user) -> QuerySet[User]:
    """The programme's people, for the support centre's directory."""
    return scope.scope_queryset(
        User.objects.select_related("programme", "organisation", "invitation", "specialist"),
        user,
        programme="programme",
    ).order_by("programme_id", "role", "organisation__code", "full_name")
