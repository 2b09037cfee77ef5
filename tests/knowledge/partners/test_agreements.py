"""地域活性化起業人 agreements: the term (6 to 36 months, counted as the Civil Code counts months), the yearly cost
against the 5.6 million yen cap, the message that names the rule, nothing saved; the warning near the end."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from knowledge.partners import selectors, services
from knowledge.partners.models import YEARLY_COST_CAP, Agreement, term_end, whole_months
from tests.knowledge.partners.conftest import agreement_fields

pytestmark = pytest.mark.django_db
START = dt.date(2027, 4, 1)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2027, 4, 1), 6, dt.date(2027, 9, 30)),
        (dt.date(2027, 4, 1), 36, dt.date(2030, 3, 31)),
        (dt.date(2027, 4, 15), 6, dt.date(2027, 10, 14)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # no 31 February: the month's last day (leap year)
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2027, 3, 1), 6, dt.date(2027, 8, 31)),
        (dt.date(2027, 10, 1), 6, dt.date(2028, 3, 31)),
    ],
)
def test_term_end_counts_months_like_the_civil_code(start, months, end):
    assert term_end(start, months) == end
    assert whole_months(start, end) == months
    assert whole_months(start, end - dt.timedelta(days=1)) == months - 1


def _create(coordinator, partner, municipality, **overrides):
    return services.agreement_create(
        by=coordinator,
        programme=coordinator.programme,
        partner=partner,
        municipality=municipality,
        fields=agreement_fields(**overrides),
    )


@pytest.mark.parametrize(
    ("ends_on", "ok"),
    [
        (dt.date(2027, 9, 29), False),  # 5 months and 29 days (one day short of six months)
        (dt.date(2027, 9, 30), True),  # 6 months
        (dt.date(2030, 3, 31), True),  # 36 months
        (dt.date(2030, 4, 1), False),  # 36 months and a day
    ],
)
def test_term_limits(coordinator, own_partner, municipality, ends_on, ok):
    if ok:
        agreement = _create(coordinator, own_partner, municipality, starts_on=START, ends_on=ends_on)
        assert agreement.term_months in (6, 36)
        return
    with pytest.raises(ValidationError) as refused:
        _create(coordinator, own_partner, municipality, starts_on=START, ends_on=ends_on)
    message = " ".join(refused.value.message_dict["ends_on"])
    assert ("at least 6 months" in message) or ("at most 36 months" in message)
    assert not Agreement.objects.exists()


def test_five_months_thirty_days_is_refused_across_a_month_end(coordinator, own_partner, municipality):
    # From 31 August, six months end on the last day of February; 5 months and 30 days end two days earlier.
    start = dt.date(2026, 8, 31)
    with pytest.raises(ValidationError):
        _create(coordinator, own_partner, municipality, starts_on=start, ends_on=dt.date(2027, 2, 26))
    _create(coordinator, own_partner, municipality, starts_on=start, ends_on=dt.date(2027, 2, 28))


def test_end_before_start_is_refused(coordinator, own_partner, municipality):
    with pytest.raises(ValidationError) as refused:
        _create(coordinator, own_partner, municipality, starts_on=START, ends_on=START - dt.timedelta(days=1))
    assert "end after it starts" in refused.value.message_dict["ends_on"][0]
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("cost", "rule"),
    [(5_600_001, "cap of 5,600,000 yen"), (-1, "cannot be negative"), (10**9, "cap of 5,600,000 yen")],
)
def test_cost_over_the_cap_or_negative_is_refused(coordinator, own_partner, municipality, cost, rule):
    with pytest.raises(ValidationError) as refused:
        _create(coordinator, own_partner, municipality, starts_on=START, ends_on=dt.date(2028, 3, 31), yearly_cost=cost)
    assert rule in refused.value.message_dict["yearly_cost"][0]
    assert not Agreement.objects.exists()


def test_cost_at_the_cap_is_accepted(coordinator, own_partner, municipality):
    agreement = _create(coordinator, own_partner, municipality, yearly_cost=YEARLY_COST_CAP)
    assert agreement.yearly_cost == 5_600_000


def test_municipality_must_be_a_member(coordinator, own_partner, outside_municipality):
    with pytest.raises(ValidationError) as refused:
        _create(coordinator, own_partner, outside_municipality)
    assert "member municipality" in refused.value.message_dict["municipality"][0]


def test_update_is_validated_and_changes_nothing_when_refused(coordinator, agreement, municipality):
    before = (agreement.ends_on, agreement.yearly_cost)
    with pytest.raises(ValidationError):
        services.agreement_update(
            by=coordinator, agreement=agreement, municipality=municipality, fields={"yearly_cost": 6_000_000}
        )
    agreement.refresh_from_db()
    assert (agreement.ends_on, agreement.yearly_cost) == before


@pytest.mark.parametrize(
    ("data", "field", "rule"),
    [
        ({"ends_on": "2027-09-29"}, "ends_on", "at least 6 months"),
        ({"ends_on": "2030-04-01"}, "ends_on", "at most 36 months"),
        ({"ends_on": "2027-03-01"}, "ends_on", "end after it starts"),
        ({"yearly_cost": "5600001"}, "yearly_cost", "cap of 5,600,000 yen"),
        ({"yearly_cost": "-5"}, "yearly_cost", "cannot be negative"),
        ({"yearly_cost": "<b>多い</b>"}, "yearly_cost", "whole number"),
        ({"starts_on": "not a date"}, "starts_on", "as a date"),
    ],
)
def test_the_form_names_the_rule_and_saves_nothing(login, coordinator, own_partner, municipality, data, field, rule):
    client = login(coordinator)
    post = {
        "municipality": municipality.pk,
        "signed_on": "2027-03-01",
        "purpose": "観光DX",
        "scope": "",
        "starts_on": "2027-04-01",
        "ends_on": "2028-03-31",
        "yearly_cost": "5000000",
        "status": "agreed",
        **data,
    }
    response = client.post(reverse("knowledge:agreement_create", args=[own_partner.pk]), post)
    assert response.status_code == 400
    assert rule in " ".join(response.context["form"].errors[field])
    assert b"<b>" not in response.content  # input is never rendered as markup
    assert not Agreement.objects.exists()


def test_the_form_records_a_valid_agreement(login, coordinator, own_partner, municipality):
    client = login(coordinator)
    response = client.post(
        reverse("knowledge:agreement_create", args=[own_partner.pk]),
        {
            "municipality": municipality.pk,
            "signed_on": "2027-03-01",
            "purpose": "観光DX",
            "starts_on": "2027-04-01",
            "ends_on": "2027-09-30",
            "yearly_cost": "5600000",
            "status": "agreed",
        },
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 302 and response.url == agreement.get_absolute_url()
    assert (agreement.term_months, agreement.programme_id) == (6, coordinator.programme_id)


def test_warning_as_the_end_approaches(login, coordinator, own_partner, municipality, municipal_user):
    today = timezone.localdate()
    soon = _create(
        coordinator,
        own_partner,
        municipality,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=30),
        signed_on=today - dt.timedelta(days=310),
    )
    later = _create(coordinator, own_partner, municipality)  # a year from a month ago: ends in eleven months
    assert soon.ending_soon and not later.ending_soon
    assert soon.days_to_end == 30
    assert [a.pk for a in selectors.ending_soon(coordinator)] == [soon.pk]
    assert selectors.ending_soon(municipal_user) == []  # the centre's list

    client = login(coordinator)
    directory = client.get(reverse("knowledge:partner_list"))
    assert list(directory.context["ending_soon"]) == [soon]
    assert 'id="ending-heading"' in directory.text
    detail = client.get(soon.get_absolute_url())
    assert "badge--warning" in detail.text
    partner_page = client.get(own_partner.get_absolute_url())
    assert partner_page.text.count("badge--warning") == 1
    # The municipality concerned sees the warning on its agreement too.
    assert "badge--warning" in login(municipal_user).get(soon.get_absolute_url()).text


def test_an_agreement_ended_early_is_not_flagged(coordinator, own_partner, municipality):
    today = timezone.localdate()
    agreement = _create(
        coordinator,
        own_partner,
        municipality,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=30),
        signed_on=today - dt.timedelta(days=310),
    )
    services.agreement_update(
        by=coordinator, agreement=agreement, municipality=municipality, fields={"status": "ended_early"}
    )
    agreement.refresh_from_db()
    assert not agreement.ending_soon
    assert selectors.ending_soon(coordinator) == []
