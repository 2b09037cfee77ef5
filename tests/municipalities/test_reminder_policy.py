"""A programme's reminder settings: set by its centre in the portal, bad values refused with a clear message."""

import pytest

from municipalities.models import ReminderPolicy

pytestmark = pytest.mark.django_db


def url(programme):
    return f"/programmes/{programme.slug}/reminders/"


def _client(login, user, language="en"):
    client = login(user)
    client.cookies["django_language"] = language
    return client


VALID = {
    "unrouted_hours": "4",
    "first_answer_days": "2",
    "waiting_days": "7",
    "auto_close_days": "21",
    "weekly_digest_weekday": "4",
    "weekly_digest_hour": "17",
}


def test_defaults_are_shown_and_a_coordinator_saves_new_values(login, coordinator, programme):
    client = _client(login, coordinator, "ja")
    html = client.get(url(programme)).content.decode()
    assert 'name="unrouted_hours" value="8"' in html and "営業時間" in html
    response = client.post(url(programme), VALID)
    assert response.status_code == 302 and response.url == programme.get_absolute_url()
    policy = ReminderPolicy.objects.get(programme=programme)
    assert (policy.unrouted_hours, policy.first_answer_days, policy.waiting_days, policy.auto_close_days) == (
        4,
        2,
        7,
        21,
    )
    assert (policy.weekly_digest_weekday, policy.weekly_digest_hour, policy.updated_by) == (4, 17, coordinator)
    assert 'href="/programmes/ehime-test/reminders/"' in client.get(programme.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("unrouted_hours", "0", "Ensure this value is greater than or equal to 1."),
        ("first_answer_days", "-3", "Ensure this value is greater than or equal to 1."),
        ("auto_close_days", "100000", "Ensure this value is less than or equal to 365."),
        ("waiting_days", "五", "Enter a whole number."),
        ("weekly_digest_hour", "24", "Ensure this value is less than or equal to 23."),
        ("weekly_digest_weekday", "7", "Select a valid choice."),
        ("unrouted_hours", "", "Enter Not routed after (business hours)."),
    ],
)
def test_bad_values_are_refused_with_a_clear_message_and_nothing_saved(
    login, coordinator, programme, field, value, message
):
    response = _client(login, coordinator).post(url(programme), {**VALID, field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "The reminder settings were not changed." in html
    assert not ReminderPolicy.objects.filter(programme=programme).exists()


def test_bad_values_are_explained_in_japanese(login, coordinator, programme):
    html = (
        _client(login, coordinator, "ja").post(url(programme), {**VALID, "weekly_digest_hour": "25"}).content.decode()
    )
    assert "23 以下" in html


@pytest.mark.parametrize("who", ["municipal_user", "specialist_user", "prefecture_user"])
def test_only_the_centre_changes_them(login, request, programme, who):
    client = _client(login, request.getfixturevalue(who))
    assert client.get(url(programme)).status_code == 403
    assert client.post(url(programme), VALID).status_code == 403
    assert not ReminderPolicy.objects.exists()


def test_another_programmes_settings_are_not_found(login, coordinator, other_programme):
    assert _client(login, coordinator).get(url(other_programme)).status_code == 404
    assert _client(login, coordinator).post(url(other_programme), VALID).status_code == 404
