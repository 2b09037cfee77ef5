"""Reads of programmes and local governments, scoped with accounts.scope."""

from django.db.models import Prefetch, QuerySet

from accounts import scope
from municipalities.models import LocalGovernment, Membership, Programme, ProgrammeTarget, ReminderPolicy


def programmes_visible_to(user) -> QuerySet[Programme]:
    return scope.scope_queryset(Programme.objects.select_related("prefecture"), user, programme="pk")


def member_municipalities_visible_to(user) -> QuerySet[LocalGovernment]:
    """Member municipalities the user may open: all of their programme's, or only their own for municipal staff."""
    return scope.scope_queryset(
        LocalGovernment.objects.filter(pk__in=Membership.objects.values("municipality")).select_related(
            "region", "prefecture"
        ),
        user,
        programme="membership__programme",
        organisation="pk",
    )


def programme_overviews_visible_to(user) -> QuerySet[Programme]:
    """Programmes the user may open, with what the overview page shows, in a fixed number of queries."""
    return programmes_visible_to(user).prefetch_related(
        Prefetch(
            "membership_set",
            queryset=Membership.objects.select_related("municipality__region").order_by("municipality__code"),
        ),
        Prefetch("targets", queryset=ProgrammeTarget.objects.order_by("-fiscal_year", "metric")),
    )


def reminder_policy_for(programme) -> ReminderPolicy:
    """The programme's reminder settings, or the defaults (unsaved) if nobody has set them yet."""
    if programme is None:
        return ReminderPolicy()
    return ReminderPolicy.objects.filter(programme=programme).first() or ReminderPolicy(programme=programme)
