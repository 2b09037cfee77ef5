"""The library as CSV and .xlsx: the reader's scope and the page's filters, formulas neutralised, real dates, and an
anonymous case's municipality never written."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from knowledge import services
from tests.knowledge.conftest import library_item, publish_case

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def test_the_csv_keeps_anonymous_cases_anonymous(login, answered, designer, other_municipal_user, foreign_item):
    case = publish_case(designer.user, answered)
    library_item(answered.programme, by=designer.user, title='=HYPERLINK("http://x")', tags=["@危険"])
    rows = _csv(login(other_municipal_user).get(reverse("reports:export_library_csv")))
    text = "\n".join(",".join(row) for row in rows)
    assert case.title in text and foreign_item.title not in text
    assert answered.organisation.name not in text and answered.reference not in text
    titles = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in titles  # a formula is written as text
    assert any(row[4] == "'@危険" for row in rows[1:])
    services.naming_ask(by=designer.user, item=case)
    services.naming_decide(by=answered.requester, item=case, agree=True)
    text = "\n".join(
        ",".join(row) for row in _csv(login(other_municipal_user).get(reverse("reports:export_library_csv")))
    )
    assert answered.organisation.name in text


def test_the_export_follows_the_pages_filters_and_search(login, programme, specialist_user, municipal_user):
    library_item(programme, by=specialist_user, title="データ連携の手引き", domain="data")
    library_item(programme, by=specialist_user, title="窓口の手引き", domain="design")
    client = login(municipal_user)
    rows = _csv(client.get(reverse("reports:export_library_csv"), {"domain": "design"}))
    assert [row[0] for row in rows[1:]] == ["窓口の手引き"]
    rows = _csv(client.get(reverse("reports:export_library_csv"), {"q": "データ連携"}))
    assert [row[0] for row in rows[1:]] == ["データ連携の手引き"]
    response = client.get(reverse("reports:export_library_csv"), {"q": "a"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("knowledge:library"))


def test_the_xlsx_has_real_dates(login, programme, specialist_user, coordinator):
    library_item(programme, by=specialist_user, title="研修資料")
    response = login(coordinator).get(reverse("reports:export_library_xlsx"))
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    header, row = [cell.value for cell in sheet[1]], [cell.value for cell in sheet[2]]
    assert row[0] == "研修資料"
    assert isinstance(row[header.index("公開日時") if "公開日時" in header else 7], dt.datetime)


@pytest.fixture
def foreign_item(other_programme, other_coordinator):
    return library_item(other_programme, by=other_coordinator, title="他県のガイドライン")
