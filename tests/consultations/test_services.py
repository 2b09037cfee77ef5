import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consultations import services
from consultations.enums import EventKind, Status
from consultations.models import Event
from consultations.workflow import TRANSITIONS, Party
from dxshare.business_days import business_days_between
from specialists.enums import Domain
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def test_every_transition_not_in_the_table_is_refused(routed, coordinator):
    for to_status in Status.values:
        if (routed.status, to_status) in TRANSITIONS or to_status == routed.status:
            continue
        with pytest.raises(ValidationError):
            services.consultation_change_status(consultation=routed, to_status=to_status, by=coordinator, reason="x")
        routed.refresh_from_db()
        assert routed.status == Status.ROUTED


def test_the_table_names_who_may_act():
    assert TRANSITIONS[(Status.SUBMITTED, Status.ROUTED)] == {Party.CENTRE}
    assert Party.REQUESTER in TRANSITIONS[(Status.ANSWERED, Status.CLOSED)]
    assert Party.SYSTEM in TRANSITIONS[(Status.ANSWERED, Status.CLOSED)]
    assert Party.REQUESTER not in TRANSITIONS[(Status.IN_PROGRESS, Status.ANSWERED)]


def test_the_requester_cannot_mark_their_own_request_answered(routed, municipal_user):
    with pytest.raises(ValidationError):
        services.consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=municipal_user)


def test_closing_an_unanswered_request_needs_a_reason(routed, coordinator):
    with pytest.raises(ValidationError) as error:
        services.consultation_change_status(consultation=routed, to_status=Status.CLOSED, by=coordinator)
    assert "reason" in error.value.message_dict
    services.consultation_change_status(
        consultation=routed, to_status=Status.CLOSED, by=coordinator, reason="重複した相談"
    )
    routed.refresh_from_db()
    assert routed.status == Status.CLOSED


def test_rating_must_be_between_1_and_5(routed, municipal_user):
    services.consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=routed.specialist.user)
    for bad in (0, 6):
        with pytest.raises(ValidationError):
            services.consultation_accept(consultation=routed, by=municipal_user, rating=bad)
    routed.refresh_from_db()
    assert routed.status == Status.ANSWERED and routed.satisfaction is None


def test_routing_to_another_programmes_specialist_is_refused(submitted, coordinator):
    from tests import factories

    stranger = factories.SpecialistFactory()
    with pytest.raises(ValidationError):
        services.consultation_route(consultation=submitted, specialist=stranger, by=coordinator)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED and submitted.specialist is None


def test_only_the_centre_routes(submitted, municipal_user, five_specialists):
    with pytest.raises(ValidationError):
        services.consultation_route(consultation=submitted, specialist=five_specialists[Domain.DATA], by=municipal_user)


def test_edits_are_recorded_with_the_fields(submitted, municipal_user):
    services.consultation_edit(
        consultation=submitted, by=municipal_user, fields={"title": "新しい題名", "urgency": "high"}
    )
    event = Event.objects.filter(consultation=submitted, kind=EventKind.EDITED).get()
    assert event.actor == municipal_user and event.data["fields"] == ["title", "urgency"]


def test_the_requester_cannot_edit_after_routing(routed, municipal_user):
    with pytest.raises(PermissionDenied):
        services.consultation_edit(consultation=routed, by=municipal_user, fields={"title": "x"})


@pytest.mark.parametrize(
    ("moment", "fiscal_year"),
    [
        (dt.datetime(2026, 3, 31, 23, 59, tzinfo=TOKYO), 2025),
        (dt.datetime(2026, 4, 1, 0, 0, tzinfo=TOKYO), 2026),
    ],
)
def test_reference_numbers_follow_the_fiscal_year_in_tokyo(
    municipal_user, five_specialists, monkeypatch, moment, fiscal_year
):
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))
    first = make_request(municipal_user)
    second = make_request(municipal_user)
    assert (first.reference, second.reference) == (f"EH-{fiscal_year}-0001", f"EH-{fiscal_year}-0002")
    assert first.fiscal_year == fiscal_year


def test_a_requester_reply_brings_an_answered_request_back(routed, municipal_user):
    services.consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=routed.specialist.user)
    services.consultation_reply(consultation=routed, author=municipal_user, body="まだ分からない点があります")
    routed.refresh_from_db()
    assert routed.status == Status.IN_PROGRESS


def test_an_empty_reply_is_refused(routed, municipal_user):
    with pytest.raises(ValidationError):
        services.consultation_reply(consultation=routed, author=municipal_user, body="  \n ")
    assert not routed.messages.exists()


def test_municipal_staff_cannot_write_internal_notes(routed, municipal_user):
    with pytest.raises(PermissionDenied):
        services.consultation_reply(consultation=routed, author=municipal_user, body="x", internal=True)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (dt.date(2026, 11, 20), dt.date(2026, 11, 23), 0),  # Friday → Monday 23 Nov (勤労感謝の日)
        (dt.date(2026, 11, 20), dt.date(2026, 11, 24), 1),
        (dt.date(2026, 4, 28), dt.date(2026, 5, 7), 3),  # Golden Week: 30 Apr, 1 May, 7 May
        (dt.date(2026, 12, 25), dt.date(2027, 1, 5), 3),  # 28 Dec; closed 29 Dec–3 Jan; 4 and 5 Jan
    ],
)
def test_business_days_skip_weekends_holidays_and_the_year_end(start, end, days):
    assert business_days_between(start, end) == days


def test_waiting_time_counts_in_tokyo(submitted, monkeypatch):
    from consultations.templatetags.consultations_tags import business_days_waited

    # It is Tuesday 24 Nov, 00:01 in Tokyo (Monday 15:01 UTC).
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 24, 0, 1, tzinfo=TOKYO).astimezone(dt.UTC))
    assert business_days_waited(dt.datetime(2026, 11, 23, 23, 59, tzinfo=TOKYO)) == 1  # filed on the holiday
    assert business_days_waited(dt.datetime(2026, 11, 24, 0, 0, tzinfo=TOKYO)) == 0  # filed today
    assert business_days_waited(dt.datetime(2026, 11, 16, 23, 59, tzinfo=TOKYO)) == 5
