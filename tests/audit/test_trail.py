"""The audit trail: the database records every change to the tracked tables, whoever makes it (a page, the admin,
the shell's update(), raw SQL), keeps who did it and from which request, and refuses to change or delete a record.
The centre head reads their programme's trail, site administrators everyone's; nobody else."""

import csv
import io

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from accounts.enums import Role
from audit import selectors
from consultations import services
from consultations.enums import Urgency
from consultations.models import Consultation
from tests.conftest import client_for
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db
ConsultationHistory = apps.get_model("consultations", "ConsultationHistory")
UserHistory = apps.get_model("accounts", "UserHistory")


def _last(history, obj):
    return history.objects.filter(pgh_obj_id=obj.pk).order_by("-pgh_id").first()


def test_a_page_records_who_changed_what_and_from_where(municipal_user, five_specialists, coordinator):
    request = make_request(municipal_user)
    client = client_for(coordinator)
    response = client.post(
        request.get_absolute_url() + "route/",
        {"specialist": five_specialists["design"].pk, "reason": "", "expected_specialist": ""},
    )
    assert response.status_code in (200, 302)
    event = _last(ConsultationHistory, request)
    assert event.pgh_label == "changed" and event.status == "routed"
    assert event.pgh_context.metadata["user"] == coordinator.pk
    assert event.pgh_context.metadata["url"] == request.get_absolute_url() + "route/"


def test_the_shell_and_raw_sql_are_recorded_too(municipal_user):
    request = make_request(municipal_user)
    Consultation.objects.filter(pk=request.pk).update(title="シェルで変えた題名")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE consultations_consultation SET title = %s WHERE id = %s", ["SQLの題名", request.pk])
    titles = list(
        ConsultationHistory.objects.filter(pgh_obj_id=request.pk).order_by("pgh_id").values_list("title", "pgh_context")
    )
    assert titles[-2:] == [("シェルで変えた題名", None), ("SQLの題名", None)]


def test_an_admin_edit_is_recorded_with_the_administrator(site_admin, coordinator):
    client = client_for(site_admin)
    url = f"/admin/accounts/user/{coordinator.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(role=Role.CENTRE_HEAD, programme=coordinator.programme_id, groups=[], user_permissions=[])
    data["last_login_0"] = data["last_login_1"] = ""
    data["date_joined_0"], data["date_joined_1"] = (
        coordinator.date_joined.strftime("%Y-%m-%d"),
        coordinator.date_joined.strftime("%H:%M:%S"),
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = _last(UserHistory, coordinator)
    assert event.role == Role.CENTRE_HEAD and event.pgh_label == "changed"
    assert event.pgh_context.metadata["user"] == site_admin.pk and event.pgh_context.metadata["url"] == url


def test_nobody_changes_or_deletes_the_trail(municipal_user, site_admin):
    request = make_request(municipal_user)
    event = _last(ConsultationHistory, request)
    for statement in (
        "UPDATE consultations_consultationhistory SET title = 'x' WHERE pgh_id = %s",
        "DELETE FROM consultations_consultationhistory WHERE pgh_id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pgh_id])
    with pytest.raises(DatabaseError), transaction.atomic():
        ConsultationHistory.objects.filter(pgh_id=event.pgh_id).delete()
    assert ConsultationHistory.objects.filter(pgh_id=event.pgh_id, title=request.title).exists()
    # Deleting the request itself is recorded (its last snapshot), not erased.
    Consultation.objects.filter(pk=request.pk).delete()
    assert _last(ConsultationHistory, request).pgh_label == "deleted"


def test_the_page_shows_old_and_new_values(municipal_user, centre_head):
    request = make_request(municipal_user, title="古い題名")
    Consultation.objects.filter(pk=request.pk).update(title="新しい題名")
    response = client_for(centre_head).get("/audit/", {"trail": "consultation", "object_id": request.pk})
    assert response.status_code == 200
    changed = next(e for e in response.context["entries"] if e.label == "changed" and e.before)
    assert ("題名", "古い題名", "新しい題名") in changed.changes or any(
        old == "古い題名" and new == "新しい題名" for _name, old, new in changed.changes
    )
    assert "古い題名" in response.text and "新しい題名" in response.text


def test_who_reads_the_trail(
    request, municipal_user, coordinator, centre_head, site_admin, specialist_user, prefecture_user
):
    for user in (municipal_user, coordinator, specialist_user, prefecture_user):
        assert client_for(user).get("/audit/").status_code == 403
        assert client_for(user).get("/audit/export.csv").status_code == 403
    assert client_for(centre_head).get("/audit/").status_code == 200
    assert client_for(site_admin).get("/audit/").status_code == 200


def test_a_centre_head_reads_only_their_programmes_trail(municipal_user, outsider, centre_head, site_admin):
    ours = make_request(municipal_user, title="こちらの相談")
    theirs = make_request(outsider, title="よその相談")
    seen = {e.object_id for e in selectors.entries(centre_head, selectors.Filters(trail="consultation"))[0]}
    assert ours.pk in seen and theirs.pk not in seen
    # Asked by number, another programme's request is simply not there.
    response = client_for(centre_head).get("/audit/", {"trail": "consultation", "object_id": theirs.pk})
    assert response.status_code == 200 and response.context["entries"] == [] and "よその相談" not in response.text
    everyone = {e.object_id for e in selectors.entries(site_admin, selectors.Filters(trail="consultation"))[0]}
    assert {ours.pk, theirs.pk} <= everyone


def test_filtered_by_person_and_paged_without_gaps_or_repeats(municipal_user, coordinator, site_admin):
    requests = [make_request(municipal_user, title=f"相談{i}") for i in range(7)]
    client = client_for(municipal_user)
    for request in requests:  # the municipality edits each one through the portal
        client.post(request.get_absolute_url() + "edit/", {"title": request.title + "（改）"})
    by_person = selectors.Filters(person_id=municipal_user.pk)
    seen, cursor = [], None
    while True:
        page, cursor = selectors.entries(site_admin, by_person, cursor=cursor, limit=3)
        seen += [(e.trail.key, e.pk) for e in page]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    everything, _ = selectors.entries(site_admin, by_person, limit=1000)
    assert seen == [(e.trail.key, e.pk) for e in everything]
    assert all(e.context.get("user") == municipal_user.pk for e in everything)


def test_the_export_is_a_csv_for_spreadsheets(municipal_user, site_admin):
    request = make_request(municipal_user, title='=HYPERLINK("x")')
    response = client_for(site_admin).get("/audit/export.csv", {"trail": "consultation", "object_id": request.pk})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) >= 2 and str(request.pk) in rows[1]
    # No cell a spreadsheet would run as a formula: what people typed is never at the start of a cell.
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert "=HYPERLINK" in body


@pytest.mark.parametrize(
    "query",
    [
        {"object_id": "12"},  # a number without its kind
        {"since": "2026-12-01", "until": "2026-11-01"},
        {"object_id": "-5", "trail": "consultation"},
        {"person": "not-an-address"},
        {"trail": "nonsense"},
    ],
)
def test_bad_filters_say_why_and_show_nothing(site_admin, query):
    response = client_for(site_admin).get("/audit/", query)
    assert response.status_code == 400 and response.context["form"].errors


def test_a_garbled_cursor_starts_from_the_newest(site_admin, municipal_user):
    make_request(municipal_user)
    response = client_for(site_admin).get("/audit/", {"cursor": "!!not-a-cursor"})
    assert response.status_code == 200 and response.context["entries"]


def test_the_page_runs_a_fixed_number_of_queries(site_admin, municipal_user, django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    client = client_for(site_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/").status_code == 200
        return len(ctx.captured_queries)

    make_request(municipal_user)
    few = count()
    for _i in range(12):
        make_request(municipal_user)
    assert count() == few
    print(f"\naudit page: {few} queries")


def test_the_requests_history_shows_what_an_edit_changed(municipal_user, coordinator):
    request = make_request(municipal_user, title="最初の題名", urgency="normal")
    changes = {"title": "直した題名", "urgency": Urgency.HIGH, "confidential": True}
    services.consultation_edit(consultation=request, by=coordinator, fields=changes)
    page = client_for(coordinator).get(request.get_absolute_url()).content.decode()
    assert "<del>最初の題名</del> → <ins>直した題名</ins>" in page
    assert f"<del>{Urgency.NORMAL.label}</del> → <ins>{Urgency.HIGH.label}</ins>" in page  # labels, not keys
    assert "<del>いいえ</del> → <ins>はい</ins>" in page
