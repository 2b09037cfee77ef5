"""A fiscal year's targets, set by the programme's centre in the portal; bad numbers refused, nothing saved."""

import pytest

from dxshare.fiscal import current_fiscal_year
from municipalities.models import ProgrammeTarget

pytestmark = pytest.mark.django_db


def url(programme):
    return f"/programmes/{programme.slug}/targets/"


def _client(login, user, language="en"):
    client = login(user)
    client.cookies["django_language"] = language
    return client


def test_a_coordinator_sets_changes_and_removes_targets(login, coordinator, programme):
    client = _client(login, coordinator, "ja")
    assert "目標" in client.get(url(programme), {"year": 2027}).content.decode()
    data = {
        "year": "2027",
        "onsite_visits": "120",
        "consultations": "80",
        "workshops": "",
        "satisfaction_percent": "80",
    }
    response = client.post(url(programme), data)
    assert response.status_code == 302 and response.url == f"{url(programme)}?year=2027"
    assert dict(ProgrammeTarget.objects.filter(fiscal_year=2027).values_list("metric", "value")) == {
        "onsite_visits": 120,
        "consultations": 80,
        "satisfaction_percent": 80,
    }
    response = client.post(url(programme), {**data, "consultations": "", "onsite_visits": "150"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert dict(ProgrammeTarget.objects.filter(fiscal_year=2027).values_list("metric", "value")) == {
        "onsite_visits": 150,
        "satisfaction_percent": 80,
    }
    html = client.get(url(programme), {"year": 2027}).content.decode()
    assert 'name="onsite_visits" value="150"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("onsite_visits", "-5", "Ensure this value is greater than or equal to 0."),
        ("onsite_visits", "百", "Enter a whole number, or leave it empty for no target."),
        ("satisfaction_percent", "120", "Ensure this value is less than or equal to 100."),
        ("workshops", "1.5", "Enter a whole number, or leave it empty for no target."),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_saved(login, coordinator, programme, field, value, message):
    ProgrammeTarget.objects.create(programme=programme, fiscal_year=2027, metric="onsite_visits", value=100)
    data = {"year": "2027", "onsite_visits": "100", "consultations": "", "workshops": "", "satisfaction_percent": ""}
    response = _client(login, coordinator).post(url(programme), {**data, field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "The targets were not changed." in html
    assert list(ProgrammeTarget.objects.values_list("metric", "value")) == [("onsite_visits", 100)]


@pytest.mark.parametrize("year", ["abc", "1999", "3000"])
def test_a_bad_year_is_explained(login, coordinator, programme, year):
    response = _client(login, coordinator).get(url(programme), {"year": year}, follow=True)
    html = response.content.decode()
    assert "That fiscal year cannot be chosen; here is the current one." in html
    assert f"Targets for FY{current_fiscal_year()}" in html


@pytest.mark.parametrize("who", ["municipal_user", "specialist_user", "prefecture_user"])
def test_only_the_centre_sets_targets(login, request, programme, who):
    client = _client(login, request.getfixturevalue(who))
    assert client.get(url(programme)).status_code == 403
    assert client.post(url(programme), {"year": "2027", "onsite_visits": "1"}).status_code == 403
    assert not ProgrammeTarget.objects.exists()


def test_another_programmes_targets_are_not_found(login, coordinator, other_programme):
    assert (
        _client(login, coordinator).post(url(other_programme), {"year": "2027", "onsite_visits": "1"}).status_code
        == 404
    )
    assert not ProgrammeTarget.objects.exists()
