"""The security log: sign-ins, failed sign-ins, sign-outs, password resets and changes, second factors added,
removed, reset or failed. Written from the signals Django and allauth send, with the client's address as the
sign-in limits see it (behind the proxy: the client's, ALLAUTH_TRUSTED_PROXY_COUNT)."""

import logging

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class Kind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_SET = "password_set", _("Password chosen")
    TWO_FACTOR_ADDED = "two_factor_added", _("Second factor added")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Second factor removed")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Second factor failed")
    TWO_FACTOR_RESET = "two_factor_reset", _("Second factors reset by a site administrator")


def client_ip(request) -> str | None:
    """The client's address as the sign-in limits see it (behind the proxy: the client's, not the proxy's)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - no address is no reason to lose a record or refuse a request
        return None


def _client(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return client_ip(request), request.headers.get("User-Agent", "")[:300]


def record(kind: str, *, user=None, actor=None, email: str = "", request=None, data: dict | None = None):
    from accounts.models import SecurityEvent

    ip, agent = _client(request)
    if user is not None and not getattr(user, "pk", None):
        user = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        actor=actor if actor is not None else user,
        email=(email or getattr(user, "email", "") or "")[:254],
        ip=ip,
        user_agent=agent,
        data=data or {},
    )


@receiver(auth_signals.user_logged_in, dispatch_uid="security_log.signed_in")
def _signed_in(sender, request, user, **kwargs):
    record(Kind.SIGNED_IN, user=user, request=request)


@receiver(auth_signals.user_logged_out, dispatch_uid="security_log.signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.SIGNED_OUT, user=user, request=request)


@receiver(auth_signals.user_login_failed, dispatch_uid="security_log.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    from accounts.models import User

    given = str(credentials.get("email") or credentials.get("username") or "")[:254]
    user = User.objects.filter(email__iexact=given).first() if given else None
    record(Kind.SIGN_IN_FAILED, user=user, actor=None, email=given, request=request)


@receiver(account_signals.password_reset, dispatch_uid="security_log.password_reset")
def _password_reset(sender, request, user, **kwargs):
    record(Kind.PASSWORD_RESET, user=user, request=request)


@receiver(account_signals.password_changed, dispatch_uid="security_log.password_changed")
def _password_changed(sender, request, user, **kwargs):
    record(Kind.PASSWORD_CHANGED, user=user, request=request)


@receiver(account_signals.password_set, dispatch_uid="security_log.password_set")
def _password_set(sender, request, user, **kwargs):
    record(Kind.PASSWORD_SET, user=user, request=request)


def _factor(authenticator) -> dict:
    return {"type": authenticator.type} if authenticator is not None else {}


@receiver(mfa_signals.authenticator_added, dispatch_uid="security_log.two_factor_added")
def _factor_added(sender, request, user, authenticator, **kwargs):
    record(Kind.TWO_FACTOR_ADDED, user=user, request=request, data=_factor(authenticator))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="security_log.two_factor_removed")
def _factor_removed(sender, request, user, authenticator, **kwargs):
    record(Kind.TWO_FACTOR_REMOVED, user=user, request=request, data=_factor(authenticator))


@receiver(mfa_signals.authenticator_reset, dispatch_uid="security_log.recovery_codes_renewed")
def _factor_reset(sender, request, user, authenticator, **kwargs):
    record(Kind.RECOVERY_CODES_RENEWED, user=user, request=request, data=_factor(authenticator))


@receiver(mfa_signals.authentication_failed, dispatch_uid="security_log.two_factor_failed")
def _factor_failed(sender, request, user, authenticator=None, **kwargs):
    record(Kind.TWO_FACTOR_FAILED, user=user, actor=None, request=request, data=_factor(authenticator))
