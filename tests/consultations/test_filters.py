"""The queue's filters cut days and fiscal years in Asia/Tokyo."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from consultations.models import Consultation
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def boundary(municipal_user, five_specialists):
    late = make_request(municipal_user, title="年度末 23:59")
    early = make_request(municipal_user, title="年度初め 00:00")
    Consultation.objects.filter(pk=late.pk).update(submitted_at=dt.datetime(2026, 3, 31, 23, 59, tzinfo=TOKYO))
    Consultation.objects.filter(pk=early.pk).update(submitted_at=dt.datetime(2026, 4, 1, 0, 0, tzinfo=TOKYO))
    return late, early


def _titles(client, query: str) -> set[str]:
    response = client.get(reverse("consultations:list") + "?" + query)
    assert response.status_code == 200
    return {c.title for c in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fiscal_year=2025", {"年度末 23:59"}),
        ("fiscal_year=2026", {"年度初め 00:00"}),
        ("submitted_to=2026-03-31", {"年度末 23:59"}),
        ("submitted_from=2026-04-01", {"年度初め 00:00"}),
        ("submitted_from=2026-03-31&submitted_to=2026-04-01", {"年度末 23:59", "年度初め 00:00"}),
    ],
)
def test_day_and_fiscal_year_cuts_are_in_tokyo(login, coordinator, boundary, query, expected):
    assert _titles(login(coordinator), query) == expected


def test_other_filters_and_sorting(login, coordinator, municipal_user, other_municipal_user, five_specialists):
    make_request(municipal_user, title="緊急の相談", urgency="high")
    make_request(other_municipal_user, title="通常の相談")
    client = login(coordinator)
    assert _titles(client, "urgency=high") == {"緊急の相談"}
    assert _titles(client, f"organisation={other_municipal_user.organisation_id}") == {"通常の相談"}
    assert _titles(client, "q=緊急") == {"緊急の相談"}
    oldest_first = client.get(reverse("consultations:list") + "?ordering=oldest").context["page"].object_list
    assert [c.title for c in oldest_first] == ["緊急の相談", "通常の相談"]
    newest_first = client.get(reverse("consultations:list")).context["page"].object_list
    assert [c.title for c in newest_first] == ["通常の相談", "緊急の相談"]
    response = client.get(reverse("consultations:list") + "?ordering=reference")  # no longer offered
    assert response.status_code == 200 and response.context["filter"].errors


def test_a_bad_filter_value_is_a_message_not_an_error(login, coordinator, boundary):
    response = login(coordinator).get(reverse("consultations:list") + "?submitted_from=not-a-date&fiscal_year=x")
    assert response.status_code == 200
    assert response.context["filter"].errors


def test_filters_start_empty_so_submitting_the_form_filters_nothing(login, coordinator, municipal_user, boundary):
    """Every select offers an empty choice and starts on it: sending the form back unchanged keeps every request."""
    client = login(coordinator)
    form = client.get(reverse("consultations:list")).context["filter"].form
    for name in ("status", "organisation", "domain", "urgency", "fiscal_year"):
        assert form.fields[name].choices[0][0] == "", name
    sent_back = {name: form[name].value() or "" for name in form.fields}
    assert _titles(client, "&".join(f"{k}={v}" for k, v in sent_back.items())) == {"年度末 23:59", "年度初め 00:00"}
