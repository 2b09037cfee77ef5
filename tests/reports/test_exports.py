"""Exports read back as a spreadsheet would read them (csv, openpyxl), cell by cell: Japanese text, the byte-order
mark, date cells, numbers, text that looks like a formula; each within the reader's scope and the page's filters;
bad input says so and exports nothing; a fixed number of queries whatever the rows; streamed or sent from a file."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation

from consultations import services as consultation_services
from consultations.enums import Status, Urgency
from consultations.models import Consultation
from municipalities.models import ProgrammeTarget
from reports.exports import BOM, Heading, Sheet, csv_lines, neutralise, write_xlsx
from reports.models import Snapshot
from specialists.enums import Domain
from tests.consultations.conftest import make_request
from tests.visits import conftest as visits_fixtures
from visits import services as visit_services
from visits.enums import Mode, TripStatus
from visits.models import Registration

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
# The visits tests' fixtures: the programme's five specialists, a visit planned and an event made through the services.
team, plan, make_event = visits_fixtures.team, visits_fixtures.plan, visits_fixtures.make_event
FORMULAS = ["=SUM(A1)", "-1+2", "@cmd", "+81-3", "\tTAB", "\rCR"]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    data = body(response)
    assert data.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, TOKYO).replace(tzinfo=None)


def labels(choices) -> dict:
    with translation.override("ja"):
        return {value: str(label) for value, label in choices}


# --- The cells ------------------------------------------------------------------------------------------------------


def test_neutralise_prefixes_formula_looking_text_only():
    for text in FORMULAS:
        assert neutralise(text) == "'" + text
    for value in ["窓口DX", "a=b", "", "1-2", -1, 3.5, dt.date(2026, 4, 1), None]:
        assert neutralise(value) == value


def test_the_writers_keep_types_and_never_write_a_formula():
    aware = dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC)  # 00:30 on 1 April in Tokyo
    row = ["=SUM(A1)", "-1+2", "@cmd", "#N/A", "窓口\x01DX", -1, 2.5, dt.date(2026, 4, 1), aware, None]
    output = io.BytesIO()
    write_xlsx([Sheet("試験", [Heading(["見出し"] * len(row)), row])], output)
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))["試験"]
    cells = next(sheet.iter_rows(min_row=2))
    assert [c.value for c in cells[:5]] == ["'=SUM(A1)", "'-1+2", "'@cmd", "#N/A", "窓口DX"]
    assert all(c.data_type == "s" for c in cells[:5])
    assert cells[5].value == -1 and cells[6].value == 2.5 and cells[5].data_type == "n"
    assert cells[7].is_date and cells[7].value == dt.datetime(2026, 4, 1)
    assert cells[8].is_date and cells[8].value == dt.datetime(2026, 4, 1, 0, 30)
    assert cells[8].number_format == "yyyy-mm-dd hh:mm"
    assert cells[9].value is None
    assert sheet["A1"].font.bold

    lines = "".join(csv_lines(["見出し"], [row]))
    assert lines.startswith(BOM)
    parsed = list(csv.reader(io.StringIO(lines[1:], newline="")))
    assert parsed[1] == [
        "'=SUM(A1)",
        "'-1+2",
        "'@cmd",
        "#N/A",
        "窓口DX",  # control characters dropped
        "-1",
        "2.5",
        "2026-04-01",
        "2026-04-01 00:30",
        "",
    ]


# --- The request queue ----------------------------------------------------------------------------------------------


@pytest.fixture
def requests(municipal_user, other_municipal_user, coordinator, specialist):
    """Four of the municipality's requests (one routed, one confidential) and one of another municipality."""
    made = {
        "japanese": make_request(municipal_user, title="窓口申請書の見直し", urgency=Urgency.HIGH),
        "formula": make_request(municipal_user, title="=SUM(A1)"),
        "minus": make_request(municipal_user, title="-1+2"),
        "at": make_request(municipal_user, title="@cmd", confidential=True),
        "other": make_request(other_municipal_user, title="隣町の相談"),
    }
    consultation_services.consultation_route(consultation=made["japanese"], specialist=specialist, by=coordinator)
    for consultation in made.values():
        consultation.refresh_from_db()
    return made


def test_the_queue_as_csv_has_a_bom_japanese_tokyo_times_and_neutralised_formulas(login, coordinator, requests):
    response = login(coordinator).get("/exports/requests.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "%E7%9B%B8%E8%AB%87%E4%B8%80%E8%A6%A7_" in response["Content-Disposition"]  # 相談一覧_<date>.csv
    rows = csv_rows(response)
    header, lines = rows[0], rows[1:]
    assert header == [
        "受付番号",
        "件名",
        "非公開",
        "市町",
        "ステータス",
        "分野",
        "緊急度",
        "提出日時",
        "回答日時",
        "完了日時",
        "専門官",
    ]
    by_title = {line[1]: line for line in lines}
    assert set(by_title) == {"窓口申請書の見直し", "'=SUM(A1)", "'-1+2", "'@cmd", "隣町の相談"}
    japanese = by_title["窓口申請書の見直し"]
    request = requests["japanese"]
    assert japanese[0] == request.reference
    assert japanese[3] == request.organisation.name  # Japanese name on a Japanese export
    assert japanese[4] == labels(Status.choices)[Status.ROUTED]
    assert japanese[5] == labels(Domain.choices)[request.specialist.domain]
    assert japanese[6] == labels(Urgency.choices)[Urgency.HIGH]
    assert japanese[7] == local(request.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert japanese[8] == "" and japanese[9] == ""  # not answered, not closed
    assert japanese[10] == request.specialist.user.full_name
    assert by_title["'@cmd"][2] != "" and by_title["'=SUM(A1)"][2] == ""  # the confidential mark, as on the page


def test_the_queue_as_xlsx_has_date_cells_and_no_formula(login, coordinator, requests):
    response = login(coordinator).get("/exports/requests.xlsx")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = workbook(response).worksheets[0]
    assert sheet.title == "相談"
    rows = rows_of(sheet)
    assert rows[0][0] == "受付番号"
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) >= {"窓口申請書の見直し", "'=SUM(A1)", "'-1+2", "'@cmd"}
    request = requests["japanese"]
    submitted = by_title["窓口申請書の見直し"][7]
    assert isinstance(submitted, dt.datetime)
    assert abs((submitted - local(request.submitted_at)).total_seconds()) < 1
    for cell in sheet.iter_rows(min_row=2):
        assert cell[1].data_type == "s"  # text, never a formula
        assert cell[7].is_date


def test_municipal_staff_export_only_their_municipality(login, municipal_user, other_municipality, requests):
    client = login(municipal_user)
    titles = {line[1] for line in csv_rows(client.get("/exports/requests.csv"))[1:]}
    assert titles == {"窓口申請書の見直し", "'=SUM(A1)", "'-1+2", "'@cmd"}
    # The queue's municipality filter is not theirs to use: it changes nothing.
    response = client.get("/exports/requests.csv", {"organisation": other_municipality.pk})
    titles = {line[1] for line in csv_rows(response)[1:]}
    assert "隣町の相談" not in titles
    routed = csv_rows(client.get(f"/exports/requests.csv?status={Status.ROUTED}"))[1:]
    assert [line[1] for line in routed] == ["窓口申請書の見直し"]


def test_others_see_what_their_list_shows(login, specialist_user, outsider, requests):
    titles = {line[1] for line in csv_rows(login(specialist_user).get("/exports/requests.csv"))[1:]}
    assert "'@cmd" not in titles  # confidential and not routed to them
    assert "窓口申請書の見直し" in titles
    assert csv_rows(login(outsider).get("/exports/requests.csv"))[1:] == []  # another programme's: nothing


def test_the_queue_filters_apply(login, coordinator, municipality, requests):
    client = login(coordinator)
    routed = csv_rows(client.get("/exports/requests.csv", {"status": Status.ROUTED}))[1:]
    assert [line[1] for line in routed] == ["窓口申請書の見直し"]
    mine = csv_rows(client.get("/exports/requests.csv", {"organisation": municipality.pk, "ordering": "oldest"}))[1:]
    assert [line[1] for line in mine] == ["窓口申請書の見直し", "'=SUM(A1)", "'-1+2", "'@cmd"]
    found = csv_rows(client.get("/exports/requests.csv", {"q": "見直し"}))[1:]
    assert [line[1] for line in found] == ["窓口申請書の見直し"]


def test_bad_filters_export_nothing_and_say_why(login, coordinator, requests):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    response = client.get("/exports/requests.csv", {"status": "nonsense"})
    assert response.status_code == 302
    assert response["Location"] == "/consultations/?status=nonsense"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "The list could not be exported" in message and "Status" in message


def test_a_list_too_long_for_a_workbook_is_prepared_in_the_background_for_its_owner_only(
    login, coordinator, other_coordinator, requests, monkeypatch, django_capture_on_commit_callbacks, settings, tmp_path
):
    from django.core import mail

    from reports import exports
    from reports.models import ExportJob, ExportStatus

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 4)
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/exports/requests.xlsx", {"ordering": "oldest"})
    assert response.status_code == 302 and response["Location"] == "/exports/"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "more than 4 rows" in message and "e-mail" in message
    job = ExportJob.objects.get()
    assert (job.user, job.kind, job.params, job.status, job.rows) == (
        coordinator,
        "requests",
        "ordering=oldest",
        ExportStatus.DONE,
        5,
    )
    assert [m.to for m in mail.outbox] == [[coordinator.email]] and "/exports/" in mail.outbox[0].body
    html = client.get("/exports/").content.decode()
    assert f"/exports/{job.pk}/download/" in html and "5 rows" in html
    download = client.get(f"/exports/{job.pk}/download/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 1 + 5  # the header and the five requests, oldest first as on the page
    assert download["Cache-Control"] == "private, no-store"
    # Somebody else's file is not found; CSV still streams any length.
    assert login(other_coordinator).get(f"/exports/{job.pk}/download/").status_code == 404
    assert len(csv_rows(client.get("/exports/requests.csv"))) == 6


def test_the_queue_export_costs_the_same_queries_for_3_and_30_rows(
    login, coordinator, municipal_user, django_assert_max_num_queries
):
    client = login(coordinator)
    for _n in range(3):
        make_request(municipal_user)
    with django_assert_max_num_queries(20) as few:
        assert len(csv_rows(client.get("/exports/requests.csv"))) == 4
        workbook(client.get("/exports/requests.xlsx"))
    for _n in range(27):
        make_request(municipal_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(csv_rows(client.get("/exports/requests.csv"))) == 31
        assert len(rows_of(workbook(client.get("/exports/requests.xlsx")).worksheets[0])) == 31


# --- Visits ---------------------------------------------------------------------------------------------------------


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=TOKYO)


def test_visits_as_csv_and_xlsx(login, coordinator, plan, team, other_municipality):
    done = plan(at(2026, 5, 12, 23), specialists=(Domain.DESIGN, Domain.DATA), purpose='=HYPERLINK("x")')
    visit_services.trip_mark_done(by=coordinator, trip=done, outcome="実施しました")
    plan(at(2026, 6, 1), mode=Mode.ONLINE, town=other_municipality, purpose="オンライン面談")
    client = login(coordinator)

    lines = csv_rows(client.get("/exports/visits.csv"))
    assert lines[0][0] == "日付"
    first = lines[1]
    assert first[0] == "2026-05-12"  # the day in Tokyo (14:00 UTC)
    assert first[1] == "2026-05-12 23:00"
    assert first[3] == done.municipality.name
    with translation.override("ja"):
        from django.utils.translation import pgettext

        separator = pgettext("list separator", ", ")
    assert first[4] == separator.join([team[Domain.DESIGN].user.full_name, team[Domain.DATA].user.full_name])
    assert first[5] == labels(Mode.choices)[Mode.ONSITE]
    assert first[6] == labels(TripStatus.choices)[TripStatus.DONE]
    assert first[7] == '\'=HYPERLINK("x")'
    assert lines[2][7] == "オンライン面談"

    sheet = workbook(client.get("/exports/visits.xlsx")).worksheets[0]
    assert sheet.title == "訪問"
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    assert row[0].is_date and row[0].value == dt.datetime(2026, 5, 12)
    assert row[1].is_date and row[1].value == dt.datetime(2026, 5, 12, 23, 0)
    assert row[7].data_type == "s" and row[7].value == '\'=HYPERLINK("x")'


def test_visits_follow_the_calendar_filters_and_the_fiscal_year(login, coordinator, plan, other_municipality):
    plan(at(2026, 3, 31), purpose="FY2025")
    plan(at(2026, 4, 1), purpose="FY2026")
    plan(at(2026, 4, 2), town=other_municipality, mode=Mode.ONLINE, purpose="隣町")
    client = login(coordinator)

    def purposes(**query):
        return [line[7] for line in csv_rows(client.get("/exports/visits.csv", query))[1:]]

    assert purposes() == ["FY2025", "FY2026", "隣町"]
    assert purposes(year=2026) == ["FY2026", "隣町"]
    assert purposes(year=2025) == ["FY2025"]
    assert purposes(municipality=other_municipality.pk) == ["隣町"]
    assert purposes(kind="online") == ["隣町"]
    assert purposes(kind="workshop") == []


def test_municipal_staff_export_only_visits_to_their_municipality(login, municipal_user, plan, other_municipality):
    plan(at(2026, 4, 1), purpose="うちの町")
    plan(at(2026, 4, 2), town=other_municipality, purpose="隣町")
    client = login(municipal_user)
    assert [line[7] for line in csv_rows(client.get("/exports/visits.csv"))[1:]] == ["うちの町"]
    response = client.get("/exports/visits.csv", {"municipality": other_municipality.pk})
    assert response.status_code == 302 and response["Location"].startswith("/calendar/?")


@pytest.mark.parametrize("year", ["abc", "1999", "2101"])
def test_a_bad_year_exports_nothing_and_says_so(login, coordinator, year):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    response = client.get("/exports/visits.xlsx", {"year": year}, follow=True)
    assert response.redirect_chain[0][0].startswith("/calendar/?")
    assert "The calendar could not be exported" in response.content.decode()


def test_the_visits_export_costs_the_same_queries_for_3_and_30_rows(
    login, coordinator, plan, django_assert_max_num_queries
):
    client = login(coordinator)
    for day in range(3):
        plan(at(2026, 4, 1) + dt.timedelta(days=day), specialists=(Domain.DESIGN, Domain.PR))
    with django_assert_max_num_queries(20) as few:
        assert len(csv_rows(client.get("/exports/visits.csv"))) == 4
        workbook(client.get("/exports/visits.xlsx"))
    for day in range(3, 30):
        plan(at(2026, 4, 1) + dt.timedelta(days=day), specialists=(Domain.DESIGN, Domain.PR))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(csv_rows(client.get("/exports/visits.csv"))) == 31
        assert len(rows_of(workbook(client.get("/exports/visits.xlsx")).worksheets[0])) == 31


# --- Events and attendance ------------------------------------------------------------------------------------------


@pytest.fixture
def attended_event(make_event, municipal_user, other_municipal_user, coordinator):
    event = make_event(title="=冬のDX合宿", starts_at=timezone.now() + dt.timedelta(days=2))
    visit_services.event_register(by=municipal_user, event=event, person=municipal_user)
    visit_services.event_register(by=other_municipal_user, event=event, person=other_municipal_user)
    type(event).objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    event.refresh_from_db()
    mine = Registration.objects.get(event=event, user=municipal_user)
    visit_services.attendance_record(by=coordinator, event=event, attended_ids={mine.pk})
    return event


def test_events_and_attendance(login, coordinator, municipal_user, other_municipal_user, attended_event):
    lines = csv_rows(login(coordinator).get("/exports/events.csv"))
    assert lines[0][0] == "イベント"
    by_person = {line[4]: line for line in lines[1:]}
    assert set(by_person) == {municipal_user.full_name, other_municipal_user.full_name}
    mine = by_person[municipal_user.full_name]
    assert mine[0] == "'=冬のDX合宿"
    assert mine[2] == local(attended_event.starts_at).strftime("%Y-%m-%d %H:%M")
    assert mine[3] == municipal_user.organisation.name
    assert mine[6] == "出席" and by_person[other_municipal_user.full_name][6] == "欠席"

    sheet = workbook(login(coordinator).get("/exports/events.xlsx")).worksheets[0]
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    assert row[0].value == "'=冬のDX合宿" and row[0].data_type == "s"
    assert row[2].is_date and isinstance(row[2].value, dt.datetime)


def test_municipal_staff_export_only_their_own_registrations(login, municipal_user, attended_event):
    lines = csv_rows(login(municipal_user).get("/exports/events.csv"))[1:]
    assert [line[4] for line in lines] == [municipal_user.full_name]


# --- The council's report -------------------------------------------------------------------------------------------


def test_the_council_report_has_a_sheet_per_section(login, coordinator, programme, municipality, plan, team):
    ProgrammeTarget.objects.create(programme=programme, fiscal_year=2026, metric="onsite_visits", value=100)
    trip = plan(at(2026, 5, 12), specialists=(Domain.DESIGN, Domain.DATA))
    visit_services.trip_mark_done(by=coordinator, trip=trip, outcome="実施しました")
    programme.name = "=愛媛県DX人材シェア"
    programme.save()
    response = login(coordinator).get(f"/programmes/{programme.slug}/council-report/2026.xlsx")
    assert isinstance(response, FileResponse)
    assert "filename*=utf-8''" in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == ["概要", "訪問", "相談", "イベント", "満足度"]
    summary = rows_of(book["概要"])
    assert summary[0][0] == "'=愛媛県DX人材シェア"
    assert isinstance(summary[2][1], dt.datetime)  # figures as of: a date cell
    onsite = summary[5]
    assert onsite[1:4] == (2, 0, 100) or list(onsite[1:4]) == [2, 0, 100]
    visits = rows_of(book["訪問"])
    assert visits[2][1] == 0 and visits[3][1] == 2  # April 0, May 2 (a number, not text)
    assert any(row[1] == municipality.name and row[2] == 2 for row in visits)
    assert Snapshot.objects.filter(programme=programme, fiscal_year=2026).exists()  # computed once, kept


def test_the_council_report_is_for_the_dashboards_readers(
    login, coordinator, prefecture_user, municipal_user, specialist_user, other_coordinator, programme
):
    url = f"/programmes/{programme.slug}/council-report/2026.xlsx"
    assert login(coordinator).get(url).status_code == 200
    assert login(prefecture_user).get(url).status_code == 200
    assert login(municipal_user).get(url).status_code == 403
    assert login(specialist_user).get(url).status_code == 403
    assert login(other_coordinator).get(url).status_code == 404


@pytest.mark.parametrize("year", [1999, 2101])
def test_the_council_report_of_a_bad_year_says_so(login, coordinator, programme, year):
    client = login(coordinator)
    client.cookies["django_language"] = "en"
    response = client.get(f"/programmes/{programme.slug}/council-report/{year}.xlsx", follow=True)
    assert response.redirect_chain[0][0] == f"/programmes/{programme.slug}/dashboard/"
    assert "There is no report for that fiscal year" in response.content.decode()
    assert not Snapshot.objects.filter(fiscal_year=year).exists()


def test_the_links_carry_the_page_filters(login, coordinator, programme, requests):
    client = login(coordinator)
    html = client.get("/consultations/", {"status": Status.ROUTED}).content.decode()
    assert f"/exports/requests.csv?status={Status.ROUTED}" in html
    html = client.get("/calendar/", {"kind": "online"}).content.decode()
    assert "/exports/visits.xlsx?kind=online" in html
    html = client.get(f"/programmes/{programme.slug}/dashboard/", {"year": 2026}).content.decode()
    assert f"/programmes/{programme.slug}/council-report/2026.xlsx" in html


def test_consultations_are_not_changed_by_an_export(login, coordinator, requests):
    before = list(Consultation.objects.order_by("pk").values_list("pk", "status", "updated_at"))
    body(login(coordinator).get("/exports/requests.xlsx"))
    assert list(Consultation.objects.order_by("pk").values_list("pk", "status", "updated_at")) == before


COMMENT = "=HYPERLINK('x') 助かりました"


def test_survey_answers_export_for_the_centre_with_comments_neutralised(
    login, coordinator, municipal_user, other_coordinator
):
    import datetime as _dt

    from django.utils import timezone as _tz

    from reports.surveys import answer_save, year_end_survey_open

    programme = coordinator.programme
    now = _tz.now()
    survey = year_end_survey_open(
        programme=programme, by=coordinator, fiscal_year=2026, closes_at=now + _dt.timedelta(days=10), now=now
    )
    answer_save(survey=survey, user=municipal_user, overall=5, usefulness=4, comment=COMMENT)
    client = login(coordinator)
    rows = csv_rows(client.get(f"/programmes/{programme.slug}/survey-answers/2026.csv"))
    assert len(rows) == 2
    assert rows[1][2:7] == [municipal_user.organisation.name, municipal_user.full_name, "5", "4", "'" + COMMENT]
    sheet = workbook(client.get(f"/programmes/{programme.slug}/survey-answers/2026.xlsx")).active
    values = rows_of(sheet)[1]
    assert values[4:6] == [5, 4] and values[6].startswith("'=HYPERLINK") and isinstance(values[7], _dt.datetime)
    assert login(municipal_user).get(f"/programmes/{programme.slug}/survey-answers/2026.csv").status_code == 403
    assert login(other_coordinator).get(f"/programmes/{programme.slug}/survey-answers/2026.csv").status_code == 404
    response = client.get(f"/programmes/{programme.slug}/survey-answers/1900.csv")
    assert response.status_code == 302
