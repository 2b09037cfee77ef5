"""Satisfaction surveys: opened once per visit done, event ended and request closed without a rating; one answer per
person, changed within the week and refused after; values outside 1–5, people who did not take part and a second
blind answer refused with nothing changed; the answer rating counted once; the year-end survey by the centre only;
response rates; the pages in Japanese and English; another municipality's staff get 404."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.enums import Role
from consultations.enums import Status
from dxshare.fiscal import current_fiscal_year
from notifications.models import Notification
from reports import surveys
from reports.figures import year_figures
from reports.models import Survey, SurveyAnswer, SurveyInvitation, SurveyKind
from specialists.enums import Domain
from tests import factories
from visits import services as visit_services
from visits.enums import Audience, EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _services_speak_english():
    """The services' messages are checked in English here (they once were only because an earlier test had left
    English active); pages are asked in the language each test names."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def colleague(programme, municipality):
    return factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=municipality, full_name="同僚 次郎", language="en"
    )


@pytest.fixture
def designer(programme):
    return factories.SpecialistFactory(user__programme=programme, domain=Domain.DESIGN, active_from=dt.date(2020, 4, 1))


@pytest.fixture
def done_trip(coordinator, programme, municipality, designer, municipal_user, colleague):
    starts_at = timezone.now() - dt.timedelta(days=2)
    trip, _hints = visit_services.trip_plan(
        by=coordinator,
        programme=programme,
        municipality=municipality,
        specialists=[designer],
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        purpose="窓口DXの打合せ",
        participants=[municipal_user, colleague],
    )
    return visit_services.trip_mark_done(by=coordinator, trip=trip, outcome="実施しました")


def _event(coordinator, programme, people, *, ended_ago=dt.timedelta(hours=2), attended=None):
    """An event the `people` registered for, held and ended `ended_ago`; `attended`: who attendance marks present."""
    starts_at = timezone.now() + dt.timedelta(days=3)
    event = visit_services.event_create(
        by=coordinator,
        programme=programme,
        fields={
            "kind": EventKind.WORKSHOP,
            "title": "データ活用ワークショップ",
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=3),
            "audience": Audience.PROGRAMME,
        },
    )
    registrations = {p.pk: visit_services.event_register(by=p, event=event, person=p) for p in people}
    ends_at = timezone.now() - ended_ago
    type(event).objects.filter(pk=event.pk).update(starts_at=ends_at - dt.timedelta(hours=3), ends_at=ends_at)
    event.refresh_from_db()
    if attended is not None:
        ids = {registrations[p.pk].pk for p in attended}
        visit_services.attendance_record(by=coordinator, event=event, attended_ids=ids)
    return event


def _closed_request(requester, *, satisfaction=None, closed_ago=dt.timedelta(hours=3), fiscal_year=2026):
    closed_at = timezone.now() - closed_ago
    return factories.ConsultationFactory(
        requester=requester,
        status=Status.CLOSED,
        answered_at=closed_at - dt.timedelta(days=1),
        closed_at=closed_at,
        satisfaction=satisfaction,
        fiscal_year=fiscal_year,
    )


def _survey_of(**subject) -> Survey:
    return Survey.objects.get(**subject)


def _answer(survey, user, overall=4, usefulness=5, comment="", **extra):
    return surveys.answer_save(
        survey=survey, user=user, overall=overall, usefulness=usefulness, comment=comment, **extra
    )


def _client(login, user, language="en"):
    client = login(user)
    client.cookies["django_language"] = language
    return client


# --- Opening surveys -------------------------------------------------------------------------------------------------


def test_discovery_opens_each_survey_once_and_invites_those_who_took_part(
    coordinator, programme, done_trip, municipal_user, colleague, other_municipal_user
):
    event = _event(coordinator, programme, [municipal_user, colleague, other_municipal_user], attended=[colleague])
    unrated = _closed_request(municipal_user)
    rated = _closed_request(municipal_user, satisfaction=5)
    withdrawn = _closed_request(municipal_user)
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(answered_at=None)

    assert surveys.surveys_open_due() == 3
    visit = _survey_of(trip=done_trip)
    assert (visit.kind, visit.title, visit.programme_id) == (SurveyKind.VISIT, "窓口DXの打合せ", programme.pk)
    assert visit.closes_at - visit.opens_at == dt.timedelta(days=7)
    assert set(visit.invitations.values_list("user_id", flat=True)) == {municipal_user.pk, colleague.pk}
    # The event: only who attended (attendance was taken).
    assert set(_survey_of(event=event).invitations.values_list("user_id", flat=True)) == {colleague.pk}
    # The request closed without a rating: its requester; the rated one is never surveyed (its rating is the survey).
    assert set(_survey_of(consultation=unrated).invitations.values_list("user_id", flat=True)) == {municipal_user.pk}
    assert not Survey.objects.filter(consultation__in=[rated, withdrawn]).exists()
    mails = Notification.objects.filter(kind=surveys.SURVEY_INVITATION)
    assert mails.count() == SurveyInvitation.objects.count() == 4
    english = mails.get(recipient=colleague, url__endswith=visit.get_absolute_url())
    assert english.subject == "[dxshare] A short survey: 窓口DXの打合せ"
    assert visit.get_absolute_url() in english.body and "two short questions" in english.body

    # A second run (a second beat, a retry) opens, invites and writes nothing more.
    assert surveys.surveys_open_due() == 0
    assert Survey.objects.count() == 3
    assert SurveyInvitation.objects.count() == mails.count() == 4


def test_an_event_without_attendance_waits_a_day_then_asks_everyone_registered(
    coordinator, programme, municipal_user, colleague
):
    event = _event(coordinator, programme, [municipal_user, colleague], ended_ago=dt.timedelta(hours=2))
    assert surveys.surveys_open_due() == 0  # attendance may still be taken
    ends_at = timezone.now() - dt.timedelta(days=1, hours=1)
    type(event).objects.filter(pk=event.pk).update(starts_at=ends_at - dt.timedelta(hours=3), ends_at=ends_at)
    assert surveys.surveys_open_due() == 1
    assert _survey_of(event=event).invitations.count() == 2


def test_what_happened_long_ago_or_was_cancelled_is_not_surveyed(
    coordinator, programme, done_trip, municipal_user, colleague
):
    type(done_trip).objects.filter(pk=done_trip.pk).update(starts_at=timezone.now() - dt.timedelta(days=40))
    _closed_request(municipal_user, closed_ago=dt.timedelta(days=31))
    event = _event(coordinator, programme, [municipal_user], attended=[municipal_user])
    visit_services.event_cancel(by=coordinator, event=event)
    assert surveys.surveys_open_due() == 0


def test_the_task_opens_surveys(done_trip):
    from reports.tasks import open_surveys

    assert open_surveys.delay().get() == 1
    assert open_surveys.delay().get() == 0


# --- Answering -------------------------------------------------------------------------------------------------------


@pytest.fixture
def visit_survey(done_trip):
    surveys.surveys_open_due()
    return _survey_of(trip=done_trip)


def test_one_survey_answer_per_person(visit_survey, municipal_user):
    now = timezone.now()
    first = _answer(visit_survey, municipal_user, overall=3, usefulness=2, comment="普通でした", now=now, new=True)
    # Within the week the same person changes their answer: still one row.
    changed = _answer(visit_survey, municipal_user, overall=5, usefulness=4, now=now + dt.timedelta(days=6))
    assert changed.pk == first.pk and SurveyAnswer.objects.filter(survey=visit_survey).count() == 1
    changed.refresh_from_db()
    assert (changed.overall, changed.usefulness, changed.comment) == (5, 4, "")
    assert changed.created_at == now and changed.updated_at == now + dt.timedelta(days=6)
    # A second answer from an empty form (a second tab, a double submission) does not overwrite the first.
    with pytest.raises(ValidationError) as refused:
        _answer(visit_survey, municipal_user, overall=1, usefulness=1, now=now + dt.timedelta(days=6), new=True)
    assert "answered this survey already" in refused.value.messages[0]
    # After the week: refused, with the date, and nothing changed.
    with pytest.raises(ValidationError) as late:
        _answer(visit_survey, municipal_user, overall=1, usefulness=1, now=visit_survey.closes_at)
    assert "closed on" in late.value.messages[0]
    changed.refresh_from_db()
    assert (changed.overall, changed.usefulness) == (5, 4)
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(
            survey=visit_survey, respondent=municipal_user, overall=2, usefulness=2, created_at=now, updated_at=now
        )


@pytest.mark.parametrize(
    ("overall", "usefulness", "field"),
    [(0, 3, "overall"), (6, 3, "overall"), (3, 9, "usefulness"), ("x", 3, "overall"), (None, 3, "overall")],
)
def test_values_outside_one_to_five_are_refused(visit_survey, municipal_user, overall, usefulness, field):
    with pytest.raises(ValidationError) as refused:
        _answer(visit_survey, municipal_user, overall=overall, usefulness=usefulness)
    assert list(refused.value.message_dict) == [field]
    assert "from 1 to 5" in refused.value.message_dict[field][0]
    assert not SurveyAnswer.objects.exists()


def test_the_database_refuses_values_outside_one_to_five(visit_survey, municipal_user):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(
            survey=visit_survey, respondent=municipal_user, overall=6, usefulness=3, created_at=now, updated_at=now
        )


def test_someone_who_did_not_take_part_is_refused(visit_survey, other_municipal_user, coordinator, outsider):
    for person in (other_municipal_user, coordinator, outsider):
        with pytest.raises(ValidationError) as refused:
            _answer(visit_survey, person)
        assert refused.value.messages == ["Only those who took part answer this survey."]
    assert not SurveyAnswer.objects.exists()


def test_a_survey_not_open_yet_is_refused(visit_survey, municipal_user):
    with pytest.raises(ValidationError):
        _answer(visit_survey, municipal_user, now=visit_survey.opens_at - dt.timedelta(minutes=1))
    assert not SurveyAnswer.objects.exists()


# --- The answer rating counts once -----------------------------------------------------------------------------------


def test_the_request_rating_is_not_counted_twice(programme, municipal_user):
    rated = _closed_request(municipal_user, satisfaction=5)
    surveyed = _closed_request(municipal_user)
    unanswered = _closed_request(municipal_user)  # closed, no rating, no answer
    rated_later = _closed_request(municipal_user)
    surveys.surveys_open_due()
    assert not Survey.objects.filter(consultation=rated).exists()
    _answer(_survey_of(consultation=surveyed), municipal_user, overall=4)
    _answer(_survey_of(consultation=rated_later), municipal_user, overall=1)
    # Reopened and accepted afterwards: the rating is the request's answer; its survey answer no longer counts.
    type(rated_later).objects.filter(pk=rated_later.pk).update(satisfaction=5)
    with pytest.raises(ValidationError) as refused:
        _answer(_survey_of(consultation=rated_later), municipal_user, overall=2)
    assert "that rating is your answer" in refused.value.messages[0]

    satisfaction = year_figures(programme, 2026)["satisfaction"]
    assert (satisfaction["rated"], satisfaction["satisfied"]) == (2, 2)  # the answer ratings, as before
    requests = next(row for row in satisfaction["surveys"]["by_kind"] if row["kind"] == SurveyKind.REQUEST)
    # Four closed requests; three answered once each (two ratings, one survey); all three satisfied.
    assert (requests["invited"], requests["answered"], requests["satisfied"]) == (4, 3, 3)
    assert requests["response_rate"] == 75.0 and requests["percent"] == 100.0
    # The rated request's survey is no longer offered.
    offered = {survey.consultation_id for survey in surveys.surveys_open_for(municipal_user)}
    assert offered == {surveyed.pk, unanswered.pk}


# --- Response rates ---------------------------------------------------------------------------------------------------


def test_response_rates_per_survey_and_per_year(
    coordinator, programme, visit_survey, municipal_user, colleague, django_assert_max_num_queries
):
    _answer(visit_survey, municipal_user, overall=5, usefulness=3)
    rates = surveys.survey_rates(visit_survey)
    assert (rates["invited"], rates["answered"], rates["satisfied"]) == (2, 1, 1)
    assert (rates["response_rate"], rates["percent"], rates["usefulness"]) == (50.0, 100.0, 3.0)

    event = _event(coordinator, programme, [municipal_user, colleague], attended=[municipal_user, colleague])
    surveys.surveys_open_due()
    event_survey = _survey_of(event=event)
    _answer(event_survey, municipal_user, overall=2, usefulness=2)
    _answer(event_survey, colleague, overall=4, usefulness=5)

    fiscal_year = visit_survey.fiscal_year
    with django_assert_max_num_queries(4):
        year = surveys.year_rates(programme, fiscal_year)
    by_kind = {row["kind"]: row for row in year["by_kind"]}
    assert [row["kind"] for row in year["by_kind"]] == SurveyKind.values
    assert (by_kind["visit"]["response_rate"], by_kind["visit"]["percent"]) == (50.0, 100.0)
    assert (by_kind["event"]["response_rate"], by_kind["event"]["percent"], by_kind["event"]["usefulness"]) == (
        100.0,
        50.0,
        3.5,
    )
    assert by_kind["year_end"]["response_rate"] is None
    assert (year["total"]["invited"], year["total"]["answered"], year["total"]["satisfied"]) == (4, 3, 2)
    # The dashboard's figures carry them, beside the keys it read before.
    satisfaction = year_figures(programme, fiscal_year)["satisfaction"]
    assert satisfaction["surveys"] == year
    assert {"rated", "satisfied", "percent", "response_rate", "bar"} <= set(satisfaction)


# --- The year-end survey ----------------------------------------------------------------------------------------------


def test_the_year_end_survey_is_opened_by_the_centre_only_once_a_year(
    programme,
    coordinator,
    municipal_user,
    other_municipal_user,
    colleague,
    specialist_user,
    outsider,
    other_coordinator,
):
    factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=colleague.organisation, is_active=False
    )
    closes_at = timezone.now() + dt.timedelta(days=14)
    for person in (municipal_user, specialist_user, other_coordinator):
        with pytest.raises(PermissionDenied):
            surveys.year_end_survey_open(programme=programme, by=person, fiscal_year=2026, closes_at=closes_at)
    assert not Survey.objects.exists()

    survey = surveys.year_end_survey_open(programme=programme, by=coordinator, fiscal_year=2026, closes_at=closes_at)
    assert (survey.kind, survey.title, survey.created_by) == (
        SurveyKind.YEAR_END,
        "Year-end survey of FY2026",
        coordinator,
    )
    invited = set(survey.invitations.values_list("user_id", flat=True))
    assert invited == {municipal_user.pk, other_municipal_user.pk, colleague.pk}  # active municipal staff only
    assert Notification.objects.filter(kind=surveys.SURVEY_INVITATION).count() == 3
    with pytest.raises(ValidationError) as twice:
        surveys.year_end_survey_open(programme=programme, by=coordinator, fiscal_year=2026, closes_at=closes_at)
    assert "has been opened already" in twice.value.message_dict["fiscal_year"][0]
    with pytest.raises(ValidationError) as past:
        surveys.year_end_survey_open(
            programme=programme, by=coordinator, fiscal_year=2025, closes_at=timezone.now() - dt.timedelta(days=1)
        )
    assert "closes_on" in past.value.message_dict
    assert Survey.objects.count() == 1


def test_the_year_end_page_opens_it_for_a_coordinator_and_no_one_else(
    login, programme, coordinator, municipal_user, specialist_user, other_coordinator
):
    url = f"/programmes/{programme.slug}/surveys/"
    closes_on = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = {"fiscal_year": str(current_fiscal_year()), "title": "", "closes_on": closes_on}
    for person, status in ((municipal_user, 403), (specialist_user, 403), (other_coordinator, 404)):
        assert _client(login, person).get(url).status_code == status
        assert _client(login, person).post(url, data).status_code == status
    assert not Survey.objects.exists()
    client = _client(login, coordinator)
    bad = client.post(url, {**data, "closes_on": "2020-01-01"})
    assert bad.status_code == 200 and "Choose a closing day at least one day ahead." in bad.content.decode()
    assert not Survey.objects.exists()
    response = client.post(url, data, follow=True)
    assert "The year-end survey is open: 1 person is asked." in response.content.decode()
    survey = Survey.objects.get(kind=SurveyKind.YEAR_END)
    assert survey.closes_at == timezone.make_aware(
        dt.datetime.combine(dt.date.fromisoformat(closes_on) + dt.timedelta(days=1), dt.time.min)
    )


# --- Pages ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ja", ["アンケート", "窓口DXの打合せ", "全体の満足度を教えてください"]),
        ("en", ["Surveys", "窓口DXの打合せ", "Overall, how satisfied are you?"]),
    ],
)
def test_the_pages_in_japanese_and_english(
    login, visit_survey, municipal_user, coordinator, programme, language, texts
):
    client = _client(login, municipal_user, language)
    listing = client.get("/surveys/").content.decode()
    assert texts[0] in listing and texts[1] in listing and visit_survey.get_absolute_url() in listing
    form = client.get(visit_survey.get_absolute_url()).content.decode()
    assert texts[2] in form
    assert form.count('type="radio"') == 10 and "<legend>" in form
    rates = _client(login, coordinator, language).get(f"/programmes/{programme.slug}/surveys/").content.decode()
    assert texts[1] in rates and 'name="closes_on"' in rates


def test_answering_and_changing_on_the_page(login, visit_survey, municipal_user):
    client = _client(login, municipal_user)
    url = visit_survey.get_absolute_url()
    response = client.post(url, {"overall": "4", "usefulness": "5", "comment": "助かりました", "had_answer": ""})
    assert response.status_code == 302
    assert "Your answer is changed." not in client.get("/surveys/").content.decode()
    page = client.get(url).content.decode()
    assert "You have answered." in page and 'value="True"' in page  # the form knows the answer exists
    # A blind second answer (the empty form sent again) is refused, nothing changed.
    again = client.post(url, {"overall": "1", "usefulness": "1", "comment": "", "had_answer": ""})
    assert "You have answered this survey already." in again.content.decode()
    assert SurveyAnswer.objects.get().overall == 4
    changed = client.post(url, {"overall": "2", "usefulness": "3", "comment": "", "had_answer": "True"}, follow=True)
    assert "Your answer is changed." in changed.content.decode()
    assert SurveyAnswer.objects.get().overall == 2


def test_bad_values_on_the_page_say_so_and_change_nothing(login, visit_survey, municipal_user):
    client = _client(login, municipal_user)
    response = client.post(visit_survey.get_absolute_url(), {"overall": "7", "usefulness": "", "comment": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose your overall satisfaction from 1 to 5." in html and "Choose how useful it was from 1 to 5." in html
    assert "data-error-summary" in html and "Your answer was not saved." in html
    assert not SurveyAnswer.objects.exists()


def test_after_the_week_the_page_shows_the_answer_and_refuses_a_change(login, visit_survey, municipal_user):
    _answer(visit_survey, municipal_user, overall=4, usefulness=4)
    Survey.objects.filter(pk=visit_survey.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=8), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    client = _client(login, municipal_user)
    assert visit_survey.get_absolute_url() not in client.get("/surveys/").content.decode()
    page = client.get(visit_survey.get_absolute_url()).content.decode()
    assert "This survey closed on" in page and 'type="radio"' not in page
    response = client.post(visit_survey.get_absolute_url(), {"overall": "1", "usefulness": "1", "had_answer": "True"})
    assert "answers can no longer be given or changed" in response.content.decode()
    assert SurveyAnswer.objects.get().overall == 4


def test_someone_not_asked_gets_404(login, visit_survey, other_municipal_user, coordinator, outsider, municipal_user):
    url = visit_survey.get_absolute_url()
    # Another municipality's staff, the centre and another programme's staff: the survey does not exist for them.
    for person in (other_municipal_user, coordinator, outsider):
        client = _client(login, person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"overall": "5", "usefulness": "5"}).status_code == 404
        assert url not in client.get("/surveys/").content.decode()
    assert not SurveyAnswer.objects.exists()
    assert _client(login, municipal_user).get(url).status_code == 200
    assert login(None).get(url).status_code == 302  # to the login page


def test_the_centres_list_costs_the_same_with_one_survey_or_three(
    login, coordinator, programme, municipal_user, colleague, designer, django_assert_max_num_queries
):
    def add_trip(day):
        starts_at = timezone.now() - dt.timedelta(days=day)
        trip, _ = visit_services.trip_plan(
            by=coordinator,
            programme=programme,
            municipality=municipal_user.organisation,
            specialists=[designer],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=1),
            purpose=f"打合せ {day}",
            participants=[municipal_user, colleague],
        )
        visit_services.trip_mark_done(by=coordinator, trip=trip, outcome="実施")

    client = _client(login, coordinator)
    url = f"/programmes/{programme.slug}/surveys/"
    add_trip(1)
    surveys.surveys_open_due()
    with django_assert_max_num_queries(20) as few:
        assert "打合せ 1" in client.get(url).content.decode()
    add_trip(2)
    add_trip(3)
    surveys.surveys_open_due()
    _answer(Survey.objects.get(title="打合せ 2"), colleague)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "打合せ 3" in html and "50%" in html
