"""The library's pages for every role: what each may read and do, another programme's or municipality's items by
id (404), bad input (a clear message, nothing changed, nothing rendered as HTML), and constant query counts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.enums import Status as ConsultationStatus
from knowledge import services
from knowledge.enums import Kind, Naming, Status
from knowledge.models import Item, Tag
from tests.consultations.conftest import PDF_BYTES, upload
from tests.knowledge.conftest import CASE, library_item, publish_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(answered, designer):
    item = publish_case(designer.user, answered)
    services._attach(item, [], designer.user)
    return item


@pytest.fixture
def draft(programme, specialist_user):
    return library_item(programme, by=specialist_user, status=Status.DRAFT, title="下書きの手引き")


@pytest.fixture
def foreign(other_programme, other_coordinator):
    return library_item(other_programme, by=other_coordinator, title="他県のガイドライン")


# --- who reads what -------------------------------------------------------------------------------------------------

READERS = ["municipal_user", "other_municipal_user", "prefecture_user", "specialist_user", "coordinator", "site_admin"]


@pytest.mark.parametrize("reader", READERS)
def test_everyone_in_the_programme_reads_a_published_case_without_its_municipality(request, login, case, reader):
    user = request.getfixturevalue(reader)
    response = login(user).get(case.get_absolute_url())
    assert response.status_code == 200
    assert case.title in response.content.decode()


@pytest.mark.parametrize("reader", ["other_municipal_user", "prefecture_user"])
def test_an_anonymous_case_never_shows_its_municipality_to_others(request, login, case, reader):
    user = request.getfixturevalue(reader)
    client = login(user)
    town = case.municipality
    pages = [
        case.get_absolute_url(),
        reverse("knowledge:library"),
        reverse("knowledge:library") + "?q=窓口",
        reverse("knowledge:library") + "?tag=予約",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert town.name not in page, url
        assert town.name_en not in page, url
        assert case.consultation.reference not in page, url
        assert reverse("consultations:detail", args=[case.consultation_id]) not in page, url


def test_a_named_case_shows_its_municipality(login, case, municipal_user, other_municipal_user):
    services.naming_decide(by=municipal_user, item=case, agree=True)
    page = login(other_municipal_user).get(case.get_absolute_url()).content.decode()
    assert case.municipality.name in page


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        ("outsider", 404),  # municipal staff of another programme
        ("other_coordinator", 404),
        ("specialist_of_other_programme", 404),
        ("site_admin", 200),
    ],
)
def test_another_programmes_items_are_404_unless_shared(request, login, case, foreign, reader, status):
    client = login(request.getfixturevalue(reader))
    assert client.get(case.get_absolute_url()).status_code == status
    if status == 404:
        assert client.get(reverse("knowledge:edit", args=[case.pk])).status_code == 404
        assert client.post(reverse("knowledge:withdraw", args=[case.pk])).status_code == 404


def test_sharing_with_another_programme_opens_the_item_there(login, case, coordinator, other_programme, outsider):
    response = login(coordinator).post(reverse("knowledge:share", args=[case.pk]), {"programmes": [other_programme.pk]})
    assert response.status_code == 302
    client = login(outsider)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert case.title in client.get(reverse("knowledge:library")).content.decode()
    assert case.municipality.name not in client.get(case.get_absolute_url()).content.decode()


@pytest.mark.parametrize("reader", ["specialist_user", "municipal_user", "other_coordinator"])
def test_only_the_centre_shares(request, login, case, other_programme, reader):
    client = login(request.getfixturevalue(reader))
    response = client.post(reverse("knowledge:share", args=[case.pk]), {"with_all": "on"})
    assert response.status_code in (403, 404)
    assert not Item.objects.get(pk=case.pk).shared_with_all


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        ("specialist_user", 200),  # the author
        ("coordinator", 200),  # the centre
        ("municipal_user", 404),  # a deliverable's draft is not the municipality's business
        ("prefecture_user", 404),
        ("other_coordinator", 404),
    ],
)
def test_drafts_are_read_by_their_authors_and_the_centre(request, login, draft, reader, status):
    assert login(request.getfixturevalue(reader)).get(draft.get_absolute_url()).status_code == status


def test_the_municipality_reads_a_draft_case_from_its_own_request_and_decides(
    login, answered, designer, municipal_user, other_municipal_user
):
    item = services.case_create(by=designer.user, consultation=answered, fields=CASE, tag_names=[])
    services.naming_ask(by=designer.user, item=item)
    assert login(other_municipal_user).get(item.get_absolute_url()).status_code == 404
    assert (
        login(other_municipal_user)
        .post(reverse("knowledge:naming_decide", args=[item.pk]), {"decision": "agree"})
        .status_code
        == 404
    )
    client = login(municipal_user)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "May this case name your municipality?" in page or "市町名" in page or "名前" in page
    assert client.post(reverse("knowledge:naming_decide", args=[item.pk]), {"decision": "agree"}).status_code == 302
    assert Item.objects.get(pk=item.pk).naming == Naming.AGREED


@pytest.mark.parametrize("writer", ["specialist_user", "coordinator"])
def test_writers_publish_and_withdraw_through_the_pages(request, login, draft, writer):
    client = login(request.getfixturevalue(writer))
    assert client.post(reverse("knowledge:publish", args=[draft.pk])).status_code == 302
    assert Item.objects.get(pk=draft.pk).status == Status.PUBLISHED
    assert client.post(reverse("knowledge:withdraw", args=[draft.pk])).status_code == 302
    assert Item.objects.get(pk=draft.pk).status == Status.WITHDRAWN


def test_another_specialist_may_not_edit_an_authors_item(login, draft, five_specialists):
    other = next(iter(five_specialists.values())).user
    client = login(other)
    assert client.get(reverse("knowledge:edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("knowledge:publish", args=[draft.pk])).status_code == 403


def test_files_are_downloaded_only_where_the_item_is_readable(login, draft, specialist_user, municipal_user, outsider):
    services._attach(
        draft,
        [__import__("consultations.uploads").uploads.check_upload(upload("手引き.pdf", PDF_BYTES))],
        specialist_user,
    )
    stored = draft.files.get()
    url = reverse("knowledge:file", args=[stored.pk])
    assert login(municipal_user).get(url).status_code == 404  # a draft
    response = login(specialist_user).get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    services.item_publish(by=specialist_user, item=draft)
    assert login(municipal_user).get(url).status_code == 200
    assert login(outsider).get(url).status_code == 404


# --- writing through the pages ----------------------------------------------------------------------------------------


def test_a_specialist_writes_up_a_case_from_the_request_page(login, answered, designer):
    client = login(designer.user)
    detail = client.get(answered.get_absolute_url()).content.decode()
    create_url = reverse("knowledge:case_create", args=[answered.pk])
    assert create_url in detail
    data = {**CASE, "tags": "窓口、予約 <b>"}
    response = client.post(create_url, data)
    assert response.status_code == 400  # markup in a tag
    assert "&lt;b&gt;" in response.content.decode() and "<b>" not in response.content.decode().split("<main")[1]
    assert not Item.objects.exists()
    response = client.post(create_url, {**CASE, "tags": "窓口、予約"})
    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert sorted(tag.name for tag in item.tags.all()) == ["予約", "窓口"]
    assert client.get(create_url).status_code == 302  # one case per request: the link leads to it


def test_the_case_form_names_the_words_that_give_the_municipality_away(login, answered, designer):
    town = answered.organisation
    response = login(designer.user).post(
        reverse("knowledge:case_create", args=[answered.pk]), {**CASE, "summary": f"{town.name}の窓口", "tags": ""}
    )
    assert response.status_code == 400
    assert town.name in response.content.decode()  # in the error message, to the author who knows it anyway
    assert not Item.objects.exists()


def test_a_confidential_or_unanswered_request_cannot_be_written_up(login, answered, designer):
    client = login(designer.user)
    answered.confidential = True
    answered.save(update_fields=["confidential"])
    response = client.post(reverse("knowledge:case_create", args=[answered.pk]), {**CASE, "tags": ""})
    assert response.status_code == 302 and not Item.objects.exists()
    answered.confidential = False
    answered.status = ConsultationStatus.IN_PROGRESS
    answered.answered_at = None
    answered.save(update_fields=["confidential", "status", "answered_at"])
    response = client.post(reverse("knowledge:case_create", args=[answered.pk]), {**CASE, "tags": ""})
    assert response.status_code == 302 and not Item.objects.exists()
    assert (
        reverse("knowledge:case_create", args=[answered.pk])
        not in client.get(answered.get_absolute_url()).content.decode()
    )


def test_a_request_of_another_programme_cannot_be_written_up(login, answered, other_coordinator):
    assert login(other_coordinator).get(reverse("knowledge:case_create", args=[answered.pk])).status_code == 404


def test_a_deliverable_with_files(login, coordinator):
    client = login(coordinator)
    response = client.post(
        reverse("knowledge:deliverable_create"),
        {
            "title": "庁内データ連携ガイドライン",
            "deliverable_type": "guideline",
            "domain": "data",
            "summary": "データ連携の手引き",
            "version": "第2版",
            "audience": "municipal",
            "tags": "データ連携",
            "files": [upload("ガイドライン.pdf", PDF_BYTES)],
        },
    )
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.kind == Kind.DELIVERABLE and item.version == "第2版" and item.files.count() == 1


def test_an_executable_renamed_pdf_is_refused(login, coordinator):
    response = login(coordinator).post(
        reverse("knowledge:deliverable_create"),
        {
            "title": "手引き",
            "deliverable_type": "manual",
            "domain": "data",
            "summary": "説明",
            "audience": "everyone",
            "files": [upload("manual.pdf", b"MZ\x90\x00" + b"\x00" * 100)],
        },
    )
    assert response.status_code == 400 and not Item.objects.exists()


# --- searching: bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "two characters"), ("a", "two characters"), ("あ" * 1000, "at most 100"), ("   ", "two characters")],
)
def test_an_empty_or_huge_search_gets_a_message_in_the_users_language(login, case, municipal_user, query, message):
    client = login(municipal_user)
    response = client.get(reverse("knowledge:library"), {"q": query}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    response = client.get(reverse("knowledge:library"), {"q": query})
    assert response.status_code == 400
    assert "エラー" in response.content.decode()


def test_markup_in_a_search_is_shown_as_text(login, case, municipal_user):
    response = login(municipal_user).get(reverse("knowledge:library"), {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_tampered_cursor_starts_again(login, case, municipal_user):
    response = login(municipal_user).get(reverse("knowledge:library"), {"cursor": "garbage"})
    assert response.status_code == 200


# --- query counts -------------------------------------------------------------------------------------------------


def _count(client, url, data=None) -> int:
    cache.clear()  # the tag cloud is cached: measure the page as its first reader pays it
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("query", [{}, {"q": "ガイドライン"}, {"tag": "データ"}])
@pytest.mark.parametrize("reader", ["municipal_user", "coordinator"])
def test_the_library_runs_the_same_queries_with_few_and_many_items(
    request, login, programme, specialist_user, query, reader
):
    client = login(request.getfixturevalue(reader))
    url = reverse("knowledge:library")
    for n in range(2):
        library_item(programme, by=specialist_user, title=f"ガイドライン {n}", tags=["データ", f"タグ{n}"])
    few = _count(client, url, query)
    for n in range(2, 30):
        library_item(programme, by=specialist_user, title=f"ガイドライン {n}", tags=["データ", f"タグ{n}"])
    library_item(programme, by=specialist_user, status=Status.DRAFT, title="下書き")
    assert _count(client, url, query) == few


def test_an_item_page_runs_the_same_queries_with_few_and_many_tags_and_files(
    login, programme, specialist_user, municipal_user
):
    item = library_item(programme, by=specialist_user, tags=["a1"])
    client = login(municipal_user)
    few = _count(client, item.get_absolute_url())
    item.tags.set(services.tags_for([f"タグ{n}" for n in range(10)]))
    assert Tag.objects.count() >= 10
    assert _count(client, item.get_absolute_url()) == few


def test_the_kept_list_forgets_a_case_whose_request_becomes_confidential(
    login, case, other_municipal_user, django_capture_on_commit_callbacks
):
    client = login(other_municipal_user)
    assert case.title in client.get(reverse("knowledge:library")).content.decode()  # now kept
    with django_capture_on_commit_callbacks(execute=True):
        case.consultation.confidential = True
        case.consultation.save(update_fields=["confidential"])
    assert case.title not in client.get(reverse("knowledge:library")).content.decode()


def test_the_kept_list_shows_a_newly_published_item(
    login, case, designer, other_municipal_user, programme, django_capture_on_commit_callbacks
):
    client = login(other_municipal_user)
    client.get(reverse("knowledge:library"))
    item = library_item(programme, by=designer.user, status=Status.DRAFT, title="新しい手引き")
    with django_capture_on_commit_callbacks(execute=True):
        services.item_publish(by=designer.user, item=item)
    assert "新しい手引き" in client.get(reverse("knowledge:library")).content.decode()
