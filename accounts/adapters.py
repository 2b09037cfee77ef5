from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


def remember_language(response, language: str):
    """The account's language for this browser too: after signing in on any browser, the pages speak the language
    the account says (set on the account by the language switch, and used by the e-mails)."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people are invited by the support centre or created by a site administrator."""

    def is_open_for_signup(self, request):
        return False

    def post_login(self, request, user, **kwargs):
        # The message after signing in is already in the account's language.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return remember_language(super().post_login(request, user, **kwargs), user.language)
