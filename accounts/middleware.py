"""How long a signed-in session lasts, and what browsers and proxies may keep of signed-in pages.

- A session ends after a working day (SESSION_COOKIE_AGE) from signing in, however busy; for the support centre and
  site administrators also after SESSION_IDLE_MINUTES without a page. The browser's cookie already ends with the
  browser (no "remember me"); these limits hold on the server, whatever the browser keeps.
- Every page answered to a signed-in person is `Cache-Control: private, no-store`: nothing of it stays in a shared
  proxy or in the browser's cache for the next person at the same desk.
"""

import time
from functools import lru_cache

from allauth.mfa import signals as mfa_signals
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts import scope, two_factor

SIGNED_IN_AT = "dxshare.signed_in_at"
SEEN_AT = "dxshare.seen_at"
SEEN_EVERY = 60  # seconds: the idle clock is written at most once a minute, not on every page


@receiver(user_logged_in, dispatch_uid="accounts.session_started")
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now
        if two_factor.required_for(user) and two_factor.enrolled(user):
            request.session[two_factor.SESSION_KEY] = True


def idle_limited(user) -> bool:
    return scope.is_centre(user) or scope.is_site_admin(user)


def _ended(request, now: int) -> str | None:
    """Why the signed-in session must end now, or None; keeps the clocks it reads."""
    session = request.session
    started = session.setdefault(SIGNED_IN_AT, now)
    if now - started > settings.SESSION_COOKIE_AGE:
        return _("You were signed out after a working day. Please sign in again.")
    if idle_limited(request.user):
        seen = session.get(SEEN_AT, now)
        if now - seen > settings.SESSION_IDLE_MINUTES * 60:
            return _("You were signed out after %(minutes)s minutes without activity. Please sign in again.") % {
                "minutes": settings.SESSION_IDLE_MINUTES
            }
        if SEEN_AT not in session or now - seen >= SEEN_EVERY:
            session[SEEN_AT] = now
    return None


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and (reason := _ended(request, int(time.time()))):
            auth.logout(request)
            messages.info(request, reason)
        return self.get_response(request)


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class TwoFactorRequiredMiddleware:
    """Site administrators, the centre head and coordinators without a second factor can open only the pages that
    set one up (and sign out, switch language): everything else sends them to the page that walks them through it.
    Whether they have one is asked once and kept in the session; removing a factor asks again."""

    OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path_info.startswith(self.OPEN_PREFIXES)
            and request.path_info not in _open_paths()
            and two_factor.enrolment_pending(request)
        ):
            return redirect("accounts:two_factor_required")
        return self.get_response(request)


@lru_cache(maxsize=1)
def _open_paths() -> frozenset[str]:
    return frozenset({reverse("accounts:two_factor_required"), reverse("accounts:set_language"), reverse("healthz")})


@receiver(mfa_signals.authenticator_removed, dispatch_uid="accounts.two_factor.removed")
def _factors_changed(sender, request=None, **kwargs):
    """Removing a factor asks again at the next page whether one is left."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(two_factor.SESSION_KEY, None)
