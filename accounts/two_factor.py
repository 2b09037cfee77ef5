"""Who must sign in with a second factor, and whether they have one.

Site administrators, the centre head and coordinators see every municipality's requests and manage people: a stolen
password alone must not open that. They cannot use the portal until they have enrolled an authenticator app or a
security key (TwoFactorRequiredMiddleware sends them to the page that walks them through it). Everyone else is
offered the same on their security page. A lost factor is reset by a site administrator (`two_factor_reset`),
recorded in the security log."""

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import scope
from accounts.enums import Role

REQUIRED_ROLES = frozenset({Role.SITE_ADMIN, Role.CENTRE_HEAD, Role.COORDINATOR})
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
SESSION_KEY = "dxshare.two_factor_enrolled"


def required_for(user) -> bool:
    return scope.is_signed_in(user) and (user.role in REQUIRED_ROLES or user.is_superuser)


def enrolled(user) -> bool:
    """Has an authenticator app or a security key (recovery codes alone are no second factor)."""
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def enrolment_pending(request) -> bool:
    """Whether the signed-in person must still set up a second factor before using the portal. The database is
    asked until the answer is "enrolled", which the session then keeps (removing a factor forgets it)."""
    if request.session.get(SESSION_KEY) or not required_for(request.user):
        return False
    if enrolled(request.user):
        request.session[SESSION_KEY] = True
        return False
    return True


@transaction.atomic
def two_factor_reset(*, user, by, reason: str, request=None) -> int:
    """A site administrator removes every factor of someone who lost theirs (they enrol again at the next sign-in).
    Returns how many authenticators were removed; the reset is recorded with who did it and why."""
    from accounts import security_log  # it imports the models' signals; keep this module light

    if not scope.is_site_admin(by):
        raise PermissionDenied
    removed, _kinds = Authenticator.objects.filter(user=user).delete()
    security_log.record(
        security_log.Kind.TWO_FACTOR_RESET, user=user, actor=by, request=request, data={"reason": reason[:500]}
    )
    return removed
