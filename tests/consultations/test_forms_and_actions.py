"""Errors that say what to fix, nothing irreversible in one click, filters in plain Japanese, dates as people write
them, and the small things: the sign-in message, the account's language, the centre's contact, the specialist's
own profile."""

import datetime as dt
import re

import pytest
from django.core import mail

from accounts.enums import Role
from consultations import services
from consultations.enums import EventKind, Status
from consultations.models import Consultation, Event, Message
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


# --- Errors --------------------------------------------------------------------------------------------------------


def test_an_empty_request_form_names_each_missing_field_and_links_to_it(login, municipal_user):
    client = login(municipal_user)
    response = client.post("/consultations/new/", {"title": "", "description": "  ", "urgency": "", "help_format": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert _title(html).startswith("エラー：")
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "data-error-summary" in summary and 'tabindex="-1"' in summary
    assert '<a href="#id_title">件名を入力してください。</a>' in summary
    assert '<a href="#id_description">相談内容を入力してください。</a>' in summary or "相談内容" in summary
    assert '<a href="#id_urgency_0">緊急度を選んでください。</a>' in summary
    assert '<a href="#id_help_format_0">希望する支援方法を選んでください。</a>' in summary
    assert "このフィールドは必須です" not in html
    # Each field carries its own message, tied to it for screen readers.
    assert 'id="id_title_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_title_error[^"]*"[^>]*id="id_title"', html) or re.search(
        r'<input[^>]*id="id_title"[^>]*aria-describedby="[^"]*id_title_error', html
    )
    assert not Consultation.objects.exists()


def test_a_bad_date_says_how_to_write_it(login, municipal_user):
    response = login(municipal_user).post(
        "/consultations/new/",
        {"title": "件名", "description": "本文", "urgency": "normal", "help_format": "written", "wanted_by": "来週"},
    )
    assert "日付を正しく入力してください" in response.content.decode()
    assert not Consultation.objects.exists()


def test_required_and_optional_fields_are_labelled_in_words(login, municipal_user):
    html = login(municipal_user).get("/consultations/new/").content.decode()
    title_label = re.search(r'<label for="id_title">(.*?)</label>', html, re.S).group(1)
    assert "必須" in title_label
    timing_label = re.search(r'<label for="id_timing_note">(.*?)</label>', html, re.S).group(1)
    assert "任意" in timing_label
    # 希望期限 (a date) and 希望時期 (free text) are told apart.
    assert "回答期限（日付）" in html and "時期についての希望" in html
    assert "エラー" not in _title(html)


def test_the_reply_form_asks_for_a_message_by_name(login, routed, municipal_user):
    response = login(municipal_user).post(f"/consultations/{routed.pk}/reply/", {"body": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_body">メッセージを入力してください。</a>' in html
    assert _title(html).startswith("エラー：")


def test_the_queue_filters_in_plain_japanese(login, coordinator, submitted):
    html = login(coordinator).get("/consultations/").content.decode()
    assert "---------" not in html
    assert "不明" not in html
    assert '<option value="" selected>すべて</option>' in html
    assert '<option value="" selected>すべての年度</option>' in html
    assert "(descending)" not in html and "降順" not in html
    assert 'type="checkbox" name="mine"' in html
    assert "すべての年度・すべての状況" in html  # nothing is applied, and the page says so


def test_the_queue_says_which_filters_are_applied(login, coordinator, submitted):
    html = login(coordinator).get("/consultations/?status=submitted&fiscal_year=2026&mine=on").content.decode()
    applied = re.search(r'<span class="applied">(.*?)</span>\s*</p>', html, re.S).group(1)
    assert "状況: 提出済み" in applied or "ステータス: 提出済み" in applied
    assert "年度:" in applied and "2026" in applied
    assert "自分の担当のみ: はい" in applied
    assert "条件をクリア" in applied


# --- Confirmation before anything irreversible -----------------------------------------------------------------------


def test_withdrawing_asks_for_confirmation_and_a_reason_that_is_marked_required(login, submitted, municipal_user):
    client = login(municipal_user)
    detail = client.get(submitted.get_absolute_url()).content.decode()
    assert f'href="/consultations/{submitted.pk}/change/withdraw/"' in detail
    assert 'name="to_status"' not in detail  # no one-click form on the request page
    page = client.get(f"/consultations/{submitted.pk}/change/withdraw/").content.decode()
    label = re.search(r'<label for="id_reason">(.*?)</label>', page, re.S).group(1)
    assert "取り下げる理由" in label and "必須" in label
    assert "支援センターと専門官が読みます" in page
    response = client.post(f"/consultations/{submitted.pk}/change/withdraw/", {"reason": ""})
    assert response.status_code == 400
    assert "取り下げる理由を入力してください。" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    response = client.post(f"/consultations/{submitted.pk}/change/withdraw/", {"reason": "庁内で解決しました"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.CLOSED
    event = Event.objects.filter(consultation=submitted, kind=EventKind.STATUS).latest("id")
    assert event.data["reason"] == "庁内で解決しました"


def test_the_centre_closes_without_an_answer_only_after_confirming(login, routed, coordinator, municipal_user):
    client = login(coordinator)
    response = client.post(f"/consultations/{routed.pk}/change/close/", {"reason": " "})
    assert response.status_code == 400
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED
    client.post(f"/consultations/{routed.pk}/change/close/", {"reason": "重複した相談です"})
    routed.refresh_from_db()
    assert routed.status == Status.CLOSED
    # The municipality reads the reason in the history.
    assert "重複した相談です" in login(municipal_user).get(routed.get_absolute_url()).content.decode()


def test_a_closed_request_shows_no_reply_form_and_reopening_says_what_it_does(
    login, routed, municipal_user, coordinator, five_specialists
):
    services.consultation_change_status(consultation=routed, to_status=Status.CLOSED, by=coordinator, reason="重複")
    client = login(municipal_user)
    html = client.get(routed.get_absolute_url()).content.decode()
    assert 'id="reply"' not in html
    assert "この相談は完了しています" in html
    assert f"{five_specialists[Domain.DESIGN].user.full_name}に戻り" in html
    response = client.post(f"/consultations/{routed.pk}/reply/", {"body": "まだ聞きたいことがあります"})
    assert response.status_code == 302
    assert not Message.objects.filter(consultation=routed).exists()
    client.post(f"/consultations/{routed.pk}/change/reopen/", {"reason": "追加で相談したい点があります"})
    routed.refresh_from_db()
    assert routed.status == Status.IN_PROGRESS


def test_a_change_that_is_not_possible_changes_nothing(login, routed, municipal_user, other_municipal_user):
    client = login(municipal_user)
    # The requester cannot withdraw a routed request here (only the centre closes it), nor use an unknown change.
    response = client.post(f"/consultations/{routed.pk}/change/close/", {"reason": "理由"}, follow=True)
    assert "この操作は現在できません" in response.content.decode()
    assert client.get(f"/consultations/{routed.pk}/change/explode/").status_code == 404
    # Another municipality's request is not found at all.
    assert login(other_municipal_user).get(f"/consultations/{routed.pk}/change/withdraw/").status_code == 404
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED


def test_one_place_changes_the_status_the_reply_buttons_move_it_with_the_message(
    login, routed, municipal_user, five_specialists
):
    specialist = five_specialists[Domain.DESIGN].user
    html = login(specialist).get(routed.get_absolute_url()).content.decode()
    assert 'name="then" value="waiting"' in html and 'name="then" value="answered"' in html
    assert "その後" not in html
    login(specialist).post(f"/consultations/{routed.pk}/reply/", {"body": "こう進めます", "then": "answered"})
    routed.refresh_from_db()
    assert routed.status == Status.ANSWERED
    # The municipality has only "send": it cannot mark its own request answered.
    response = login(municipal_user).post(f"/consultations/{routed.pk}/reply/", {"body": "?", "then": "answered"})
    assert response.status_code == 400
    routed.refresh_from_db()
    assert routed.status == Status.ANSWERED


def test_each_message_says_who_wrote_it_and_in_what_role(login, routed, municipal_user, coordinator, five_specialists):
    specialist = five_specialists[Domain.DESIGN].user
    services.consultation_reply(consultation=routed, author=specialist, body="専門官の返信")
    services.consultation_reply(consultation=routed, author=coordinator, body="センターの返信")
    services.consultation_reply(consultation=routed, author=municipal_user, body="市町の返信")
    roles = re.findall(
        r'<span class="thread__role">(.*?)</span>',
        login(municipal_user).get(routed.get_absolute_url()).content.decode(),
    )
    assert roles == ["あなた", "専門官", "支援センター", "あなた"]  # the request itself comes first
    roles = re.findall(
        r'<span class="thread__role">(.*?)</span>', login(specialist).get(routed.get_absolute_url()).content.decode()
    )
    assert roles == [routed.organisation.display_name, "あなた", "支援センター", routed.organisation.display_name]


def test_the_routing_suggestion_is_given_in_words(login, coordinator, municipal_user, five_specialists):
    consultation = make_request(
        municipal_user,
        title="SNSの広報を強化したい",
        description="市の広報をSNSで強化したいです。SNSの運用方針を相談したい。",
    )
    for html in (
        login(coordinator).get(consultation.get_absolute_url()).content.decode(),
        login(coordinator).get(f"/consultations/{consultation.pk}/route/").content.decode(),
    ):
        assert "キーワード『" in html and "』が一致" in html
        assert "スコア" not in html and "+" not in re.sub(r"<[^>]+>", "", html).split("推奨分野")[1][:200]
    route = login(coordinator).get(f"/consultations/{consultation.pk}/route/").content.decode()
    assert route.count("市の広報をSNSで強化したいです。") == 1  # the description appears once
    # The municipality never sees the suggestion.
    assert "キーワード『" not in login(municipal_user).get(consultation.get_absolute_url()).content.decode()


# --- Dates ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [("ja", "2027年1月29日（金）"), ("en", "Fri 29 Jan 2027")])
def test_dates_are_written_as_people_write_them(login, municipal_user, language, expected):
    consultation = make_request(municipal_user, wanted_by=dt.date(2027, 1, 29))
    client = login(municipal_user)
    client.cookies["django_language"] = language
    assert expected in client.get(consultation.get_absolute_url()).content.decode()


def test_a_time_at_midnight_in_tokyo_is_shown_on_the_tokyo_day(login, municipal_user):
    consultation = make_request(municipal_user)
    # 14:59:59 UTC is 23:59:59 JST on the 28th; 15:00 UTC is 00:00 JST on the 29th.
    for moment, shown in (
        (dt.datetime(2027, 1, 28, 14, 59, tzinfo=dt.UTC), "2027年1月28日（木） 23:59"),
        (dt.datetime(2027, 1, 28, 15, 0, tzinfo=dt.UTC), "2027年1月29日（金） 00:00"),
    ):
        Consultation.objects.filter(pk=consultation.pk).update(submitted_at=moment)
        assert shown in login(municipal_user).get(consultation.get_absolute_url()).content.decode()


# --- Small things --------------------------------------------------------------------------------------------------


def test_signing_in_says_so_plainly_and_in_the_accounts_language(client, programme, municipality):
    user = factories.UserFactory(
        role=Role.MUNICIPAL, programme=programme, organisation=municipality, password="pw-ehime-2026", language="en"
    )
    client.cookies["django_language"] = "ja"  # this browser was used in Japanese before
    response = client.post("/accounts/login/", {"login": user.email, "password": "pw-ehime-2026"}, follow=True)
    assert client.cookies["django_language"].value == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "You are signed in." in html
    user.language = "ja"
    user.save()
    client.logout()
    response = client.post("/accounts/login/", {"login": user.email, "password": "pw-ehime-2026"}, follow=True)
    assert "ログインしました。" in response.content.decode()
    assert "としてログインしました" not in response.content.decode()


def test_the_confirmation_page_gives_the_centres_contact(login, municipal_user, programme):
    programme.centre_phone, programme.centre_email = "089-912-0000", "dx@example.jp"
    programme.save()
    consultation = make_request(municipal_user)
    html = login(municipal_user).get(f"/consultations/{consultation.pk}/submitted/").content.decode()
    assert 'href="tel:089-912-0000"' in html and "dx@example.jp" in html


def test_the_centre_sets_its_contact_in_the_portal(login, coordinator, municipal_user, other_coordinator, programme):
    url = f"/programmes/{programme.slug}/contact/"
    client = login(coordinator)
    response = client.post(url, {"centre_phone": "でんわ", "centre_email": "x", "centre_hours": ""})
    assert response.status_code == 200
    assert "電話番号は数字とハイフンで入力してください" in response.content.decode()
    client.post(url, {"centre_phone": "089-912-0000", "centre_email": "dx@example.jp", "centre_hours": "平日"})
    programme.refresh_from_db()
    assert (programme.centre_phone, programme.centre_email) == ("089-912-0000", "dx@example.jp")
    assert login(municipal_user).get(url).status_code == 403
    assert login(other_coordinator).get(url).status_code == 404


def test_specialists_edit_their_own_profile(login, specialist, municipal_user):
    client = login(specialist.user)
    response = client.post(
        "/specialists/me/edit/", {"title": "DX推進専門官", "profile": "経歴", "ask_me_about": "クラウドの選び方"}
    )
    assert response.status_code == 302
    specialist.refresh_from_db()
    assert (specialist.title, specialist.ask_me_about) == ("DX推進専門官", "クラウドの選び方")
    assert "クラウドの選び方" in login(municipal_user).get(specialist.get_absolute_url()).content.decode()
    assert login(municipal_user).get("/specialists/me/edit/").status_code == 403
    assert mail.outbox == []
