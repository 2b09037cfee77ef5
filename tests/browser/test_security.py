"""Two-step sign-in and invitations in a real browser, in Japanese and English: a coordinator who has not enrolled is
walked from the password to the authenticator app and into the portal; every page of it, the code step at sign-in,
the site administrator's reset and the invitation pages pass axe-core and fit a 390 px phone."""

import pytest
from allauth.mfa.models import Authenticator

from accounts import invitations
from accounts.enums import Role
from accounts.models import Invitation
from consultations.models import Consultation
from tests import factories
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import _violations
from tests.browser.test_reminders import PASSWORD, _fits, _page
from tests.consultations.conftest import make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH", slug="ehime")
    newcomer = factories.UserFactory(
        role=Role.COORDINATOR,
        programme=programme,
        email="new-coord@example.jp",
        full_name="新任 調整",
        password=PASSWORD,
        two_factor=False,
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    admin = factories.SiteAdminFactory(email="admin@example.jp", password=PASSWORD)
    staff = factories.MunicipalUserFactory(programme=programme, email="staff@example.jp", password=PASSWORD)
    invited = factories.MunicipalUserFactory(programme=programme, email="invited@example.jp")
    invitation = Invitation.objects.create(user=invited, invited_by=coordinator)
    return newcomer, coordinator, admin, staff, invitation


def _password_step(browser, live_server, user, language, width=1366, bypass_csp=False):
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": width, "height": 900}, bypass_csp=bypass_csp
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize(("language", "width"), [("ja", 1366), ("en", 390)])
def test_a_new_coordinator_sets_up_an_authenticator_app_before_anything_else(
    browser, live_server, world, language, width, settings
):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http://localhost
    newcomer, *_rest = world
    type(newcomer).objects.filter(pk=newcomer.pk).update(language=language)
    page = _password_step(browser, live_server, newcomer, language, width=width, bypass_csp=True)
    # Signed in, but every page leads to the explanation until a second step is set up.
    assert page.url.endswith("/account/two-factor/")
    page.goto("/consultations/")
    assert page.url.endswith("/account/two-factor/")
    assert page.get_by_role("alert").is_visible()
    screenshot(page, f"two-factor-required-{language}-{width}")
    assert _fits(page), page.url
    found = {"required": _violations(page)}
    page.locator('a[href="/accounts/2fa/totp/activate/"]').first.click()
    # Setting up a factor asks for the password once more (allauth: a recent, explicit confirmation).
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert _fits(page), page.url
    found["reauthenticate"] = _violations(page)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert _fits(page), page.url
    found["activate"] = _violations(page)
    screenshot(page, f"two-factor-activate-{language}-{width}")
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) >= 16 and page.locator("img[alt]").first.is_visible()  # the QR code, its text as alt
    code = factories.totp_code(secret=secret)
    page.locator("#id_code").fill(code)
    page.locator("#id_code").press("Enter")
    page.wait_for_url("**/accounts/2fa/recovery-codes/")  # the recovery codes, to print or keep
    assert _fits(page), page.url
    found["recovery codes"] = _violations(page)
    page.goto("/")
    assert page.url.rstrip("/") == live_server.url and page.get_by_role("heading", level=1).is_visible()

    # A security key as well, made by Chromium's virtual authenticator (the browser's own WebAuthn, no stand-in).
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto("/accounts/2fa/webauthn/add/")  # the password was confirmed minutes ago: no second confirmation
    assert _fits(page), page.url
    found["security key"] = _violations(page)
    page.locator("#id_name").fill("USB key")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.WEBAUTHN).count() == 1
    assert page.problems == [], page.problems
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_security_pages_pass_axe_and_fit_a_phone(browser, live_server, world, language):
    newcomer, coordinator, admin, staff, invitation = world
    token = invitations.token_for(invitation)
    signed_in = [
        (newcomer, "/account/two-factor/"),
        (newcomer, "/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/"),
        (coordinator, "/account/two-factor/"),
        (coordinator, "/accounts/2fa/"),
        (staff, "/account/two-factor/"),
        (admin, f"/account/people/{coordinator.pk}/two-factor-reset/"),
    ]
    found = {}
    for width in (1366, 390):
        for user, url in signed_in:
            page = _page(browser, live_server, user, language, width=width, bypass_csp=True)
            page.goto(url)
            assert url in page.url, (url, page.url)
            assert _fits(page), (url, width)
            found[f"{user.email} {url} {width}"] = _violations(page)
            page.context.close()
        # The code step while signing in.
        page = _password_step(browser, live_server, coordinator, language, width=width)
        assert "/accounts/2fa/authenticate/" in page.url
        assert _fits(page)
        assert page.problems == [], page.problems  # the security key's scripts run under the strict CSP
        page.context.close()
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}, bypass_csp=True
        )
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        for url in (f"/account/invitation/{token}/", "/account/invitation/not-a-token/"):
            page.goto(url)
            assert _fits(page), (url, width)
            found[f"anonymous {url} {width}"] = _violations(page)
        page.goto("/accounts/login/")
        page.locator("#id_login").fill(coordinator.email)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#id_password").press("Enter")
        page.wait_for_url("**/accounts/2fa/authenticate/")
        found[f"authenticate {width}"] = _violations(page)
        context.close()
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_audit_trail_passes_axe_and_fits_a_phone(browser, live_server, world, language):
    _newcomer, coordinator, admin, staff, _invitation = world
    head = factories.UserFactory(role=Role.CENTRE_HEAD, programme=coordinator.programme, password=PASSWORD)
    request = make_request(staff, title="監査の試験")
    Consultation.objects.filter(pk=request.pk).update(title="監査の試験（改）")  # a change made outside any request
    found = {}
    for user in (admin, head):
        for width in (1366, 390):
            page = _page(browser, live_server, user, language, width=width, bypass_csp=True)
            urls = (
                "/audit/",
                f"/audit/?trail=consultation&object_id={request.pk}",
                "/audit/?object_id=5",
                "/audit/sign-ins/",
                "/audit/sign-ins/?since=2026-12-01&until=2026-11-01",
            )
            for url in urls:
                page.goto(url)
                assert _fits(page), (url, width)
                found[f"{user.email} {url} {width}"] = _violations(page)
            page.goto(f"/audit/?trail=consultation&object_id={request.pk}")
            assert "監査の試験（改）" in page.locator("main").inner_text()
            page.context.close()
    problems = {name: v for name, v in found.items() if v}
    assert not problems, problems
