"""Every page renders in Japanese and English for every role that may see it; outsiders get 404."""

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from accounts.enums import Role

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "notifications", "municipalities", "specialists", "consultations"}
ROLE_FIXTURES = ["municipal_user", "prefecture_user", "specialist_user", "coordinator", "centre_head", "site_admin"]


@pytest.fixture
def urls(programme, municipality, specialist):
    return {
        "home": reverse("home"),
        "programme": reverse("municipalities:programme", args=[programme.slug]),
        "municipality": reverse("municipalities:detail", args=[municipality.code]),
        "specialists": reverse("specialists:list"),
        "specialist": reverse("specialists:detail", args=[specialist.pk]),
        "people": reverse("specialists:people"),
        "invite": reverse("specialists:invite"),
        "programmes": reverse("municipalities:programme_list"),
    }


# (page, role fixture, expected status)
ACCESS = (
    [("home", role, 200) for role in ROLE_FIXTURES]
    + [("programme", role, 200) for role in ROLE_FIXTURES]
    + [("municipality", role, 200) for role in ROLE_FIXTURES]
    + [("specialists", role, 200) for role in ROLE_FIXTURES]
    + [("specialist", role, 200) for role in ROLE_FIXTURES]
    + [
        ("people", "municipal_user", 403),
        ("people", "specialist_user", 403),
        ("people", "coordinator", 200),
        ("people", "centre_head", 200),
        ("people", "site_admin", 200),
        ("invite", "municipal_user", 403),
        ("invite", "prefecture_user", 403),
        ("invite", "coordinator", 200),
        ("invite", "centre_head", 200),
        ("programmes", "site_admin", 200),
        ("programmes", "coordinator", 302),
        ("programmes", "municipal_user", 302),
        # Outsiders: another municipality of the same programme, another programme's people.
        ("municipality", "other_municipal_user", 404),
        ("municipality", "outsider", 404),
        ("municipality", "other_coordinator", 404),
        ("programme", "outsider", 404),
        ("programme", "other_coordinator", 404),
        ("specialist", "outsider", 404),
        ("specialist", "other_coordinator", 404),
    ]
)


@pytest.mark.parametrize(("page", "role", "status"), ACCESS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_access_table(request, login, urls, page, role, status, language):
    client = login(request.getfixturevalue(role))
    client.cookies["django_language"] = language
    response = client.get(urls[page])
    assert response.status_code == status
    if status in (200, 403, 404) and response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        assert f'<html lang="{language}">' in html
        marker = "メインコンテンツへ移動" if language == "ja" else "Skip to main content"
        assert marker in html


@pytest.mark.parametrize("page", ["home", "programme", "municipality", "specialists", "specialist", "people"])
def test_anonymous_users_are_sent_to_login(client, urls, page):
    response = client.get(urls[page])
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_login_page_renders_in_both_languages(client, language):
    client.cookies["django_language"] = language
    html = client.get(reverse("account_login")).content.decode()
    assert ("ログイン" if language == "ja" else "Sign in") in html
    assert 'for="id_login"' in html and 'for="id_password"' in html  # every input has a label


def test_japanese_is_the_default_language(client):
    assert '<html lang="ja">' in client.get(reverse("account_login")).content.decode()


def test_language_switch_is_remembered_on_the_account(login, coordinator):
    client = login(coordinator)
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.language == "en"
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_pages_carry_a_strict_content_security_policy(login, coordinator):
    response = login(coordinator).get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "http" not in response.content.decode().split("<body")[0].replace("http-equiv", "")


def test_header_shows_programme_user_and_role(login, municipal_user, municipality):
    html = login(municipal_user).get(reverse("home")).content.decode()
    assert municipal_user.programme.name in html
    assert municipal_user.full_name in html
    assert "市町職員" in html and municipality.name in html


def test_navigation_differs_per_role(login, municipal_user, coordinator):
    people = reverse("specialists:people")
    assert people not in login(municipal_user).get(reverse("home")).content.decode()
    assert people in login(coordinator).get(reverse("home")).content.decode()


def test_current_page_is_marked_in_navigation(login, coordinator):
    html = login(coordinator).get(reverse("specialists:list")).content.decode()
    assert f'<a href="{reverse("specialists:list")}" aria-current="page">' in html


def test_municipal_users_do_not_see_the_member_list(login, municipal_user, other_municipality, programme):
    html = login(municipal_user).get(reverse("municipalities:programme", args=[programme.slug])).content.decode()
    assert other_municipality.name not in html


def test_admin_pages_render_for_every_model(login, site_admin, municipality, specialist, rf):
    from django.contrib import admin

    ours = [m for m in django_apps.get_models() if m._meta.app_label in OUR_APPS]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert not missing, f"models without an admin: {missing}"
    client = login(site_admin)
    request = rf.get("/admin/")
    request.user = site_admin
    for model in ours:
        path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(path).status_code == 200, path
        assert client.get(path + "?q=test").status_code == 200, path
        if admin.site._registry[model].has_add_permission(request):
            assert client.get(path + "add/").status_code == 200, path


def test_role_labels_are_translated():
    from django.utils import translation

    with translation.override("ja"):
        assert str(Role.COORDINATOR.label) == "コーディネーター"
