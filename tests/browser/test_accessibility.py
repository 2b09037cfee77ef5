"""WCAG 2.1 A/AA checks with axe-core (vendored, test-only) on every kind of page, in Japanese and English."""

from pathlib import Path

import pytest

from accounts.enums import Role
from consultations import services
from specialists.enums import Domain
from tests import factories
from tests.browser.conftest import screenshot, second_step
from tests.consultations.conftest import checked_pdf, make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "ehime-kaigi-2026"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def world(db):
    programme = factories.ProgrammeFactory(name="愛媛県・市町DX推進会議", reference_prefix="EH", slug="ehime")
    town = factories.MembershipFactory(programme=programme, municipality__name="内子町").municipality
    specialists = {
        d: factories.SpecialistFactory(user__programme=programme, domain=d, user__password=PASSWORD)
        for d in Domain.values
    }
    staff = factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=town, email="staff@uchiko.example.jp", password=PASSWORD
    )
    coordinator = factories.UserFactory(
        role=Role.COORDINATOR, programme=programme, email="coord@example.jp", password=PASSWORD
    )
    waiting = make_request(staff, title="窓口の申請書を分かりやすくしたい")
    routed = make_request(staff, title="SNSアカウントを整理したい", files=[checked_pdf()])
    services.consultation_route(consultation=routed, specialist=specialists[Domain.PR], by=coordinator)
    services.consultation_reply(consultation=routed, author=coordinator, body="内部メモです", internal=True)
    services.consultation_reply(
        consultation=routed, author=specialists[Domain.PR].user, body="回答です", then="answered"
    )
    return {
        "staff": staff,
        "coordinator": coordinator,
        "waiting": waiting,
        "routed": routed,
        "programme": programme,
        "town": town,
        "specialist": specialists[Domain.PR],
        "specialist_user": specialists[Domain.PR].user,
    }


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    second_step(page, email)
    page.wait_for_url("**/")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_pass_axe(browser, live_server, world, language):
    # The pages follow the account's language after signing in.
    type(world["staff"]).objects.update(language=language)
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="ja-JP")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    found = {}
    page.goto("/accounts/login/")
    found["login"] = _violations(page)
    routed, waiting = world["routed"], world["waiting"]
    for who, urls in [
        (
            "staff",
            [
                "/",
                "/consultations/",
                "/consultations/new/",
                "submit:/consultations/new/",  # the form with its error summary
                f"/consultations/{routed.pk}/",
                f"/consultations/{waiting.pk}/",
                f"/consultations/{waiting.pk}/submitted/",
                f"/consultations/{waiting.pk}/change/withdraw/",
                "/consultations/?status=answered",
                f"/municipalities/{world['town'].code}/",
                f"/programmes/{world['programme'].slug}/",
                "/account/notifications/",
            ],
        ),
        (
            "specialist_user",
            [
                "/",
                "/consultations/?mine=on",
                f"/consultations/{routed.pk}/",
                f"/specialists/{world['specialist'].pk}/",
                "/specialists/me/edit/",
            ],
        ),
        (
            "coordinator",
            [
                "/",
                "/consultations/inbox/",
                "/consultations/",
                f"/consultations/{waiting.pk}/route/",
                f"/consultations/{waiting.pk}/",
                f"/consultations/{routed.pk}/",
                f"/consultations/{waiting.pk}/change/close/",
                "/consultations/?status=submitted&fiscal_year=2026&q=zz",
                f"/programmes/{world['programme'].slug}/contact/",
                "/people/",
                "/people/invite/",
                "/specialists/",
                f"/programmes/{world['programme'].slug}/",
            ],
        ),
    ]:
        _sign_in(page, world[who].email)
        for url in urls:
            if url.startswith("submit:"):
                page.goto(url.removeprefix("submit:"))
                page.locator("main form button[type=submit]").first.click()
                page.wait_for_selector("[data-error-summary]")
            else:
                page.goto(url)
            found[f"{who} {url}"] = _violations(page)
        page.context.clear_cookies()
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    screenshot(page, f"axe-last-page-{language}")
    context.close()
    problems = {page_name: v for page_name, v in found.items() if v}
    assert not problems, problems
