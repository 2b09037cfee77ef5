"""Whose turn it is: each person's home page leads with what waits for them, statuses are written from the viewer's
side with a distinct look for "your turn", and the request page opens with a banner when the viewer must act."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from consultations import selectors, services, workflow
from consultations.enums import EventKind, Status
from consultations.models import Event, Routing
from consultations.workflow import Party, Turn
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _todo(html: str, heading: str) -> str:
    """The to-do list under `heading` on the home page."""
    match = re.search(rf">{re.escape(heading)}</h3>(.*?)</section>", html, re.S)
    assert match, f"no list headed {heading!r}"
    return match.group(1)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# --- The status from each side ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "party", "label", "turn"),
    [
        (Status.WAITING, Party.REQUESTER, "Please reply", Turn.YOURS),
        (Status.ANSWERED, Party.REQUESTER, "Answered: please check", Turn.YOURS),
        (Status.SUBMITTED, Party.REQUESTER, "Waiting for routing", Turn.OTHERS),
        (Status.IN_PROGRESS, Party.REQUESTER, "The specialist is working on it", Turn.OTHERS),
        (Status.WAITING, Party.ASSIGNEE, "Waiting for the municipality", Turn.OTHERS),
        (Status.ROUTED, Party.ASSIGNEE, "New: please respond", Turn.YOURS),
        (Status.IN_PROGRESS, Party.ASSIGNEE, "Your turn to reply", Turn.YOURS),
        (Status.SUBMITTED, Party.CENTRE, "Please route", Turn.YOURS),
        (Status.WAITING, Party.CENTRE, "Waiting for the municipality", Turn.OTHERS),
        (Status.CLOSED, Party.REQUESTER, "Closed", Turn.DONE),
    ],
)
def test_each_side_reads_the_status_in_its_own_words(english, status, party, label, turn):
    state = workflow.viewer_state(status, {party})
    assert (str(state.label), state.turn) == (label, turn)
    assert state.badge == {Turn.YOURS: "action", Turn.OTHERS: "waiting", Turn.DONE: "done"}[turn]
    assert bool(state.banner) == (turn == Turn.YOURS)


def test_the_specialist_sees_that_the_municipality_replied(english):
    replied = workflow.viewer_state(Status.IN_PROGRESS, {Party.ASSIGNEE}, last_reply_by=Party.REQUESTER)
    assert (str(replied.label), replied.turn) == ("The municipality replied", Turn.YOURS)
    # Somebody without a side (another specialist, say) reads the neutral label.
    assert str(workflow.viewer_state(Status.WAITING, set()).label) == str(Status.WAITING.label)


def test_a_reply_records_which_side_wrote_last(routed, municipal_user, five_specialists):
    specialist = five_specialists[Domain.DESIGN].user
    services.consultation_reply(consultation=routed, author=specialist, body="資料はありますか。", then=Status.WAITING)
    routed.refresh_from_db()
    assert (routed.status, routed.last_reply_by) == (Status.WAITING, Party.ASSIGNEE)
    services.consultation_reply(consultation=routed, author=municipal_user, body="添付します。")
    routed.refresh_from_db()
    assert (routed.status, routed.last_reply_by) == (Status.IN_PROGRESS, Party.REQUESTER)
    assert routed.last_reply_at is not None
    services.consultation_reply(consultation=routed, author=specialist, body="内部メモ", internal=True)
    routed.refresh_from_db()
    assert routed.last_reply_by == Party.REQUESTER  # an internal note is no reply to the municipality


# --- Badges on the lists --------------------------------------------------------------------------------------------


def test_the_municipality_sees_a_question_as_its_turn_not_as_a_neutral_status(
    login, routed, municipal_user, five_specialists
):
    services.consultation_reply(
        consultation=routed, author=five_specialists[Domain.DESIGN].user, body="質問です。", then=Status.WAITING
    )
    submitted_too = make_request(municipal_user, title="別の相談")
    html = _html(login(municipal_user), "/consultations/")
    assert '<span class="badge badge--action">回答をお願いします</span>' in html
    assert '<span class="badge badge--waiting">振り分け待ち</span>' in html  # 提出済み no longer looks the same
    assert submitted_too.title in html
    assert "市町の回答待ち" not in html


def test_the_specialist_and_the_centre_read_the_same_request_from_their_side(
    login, routed, coordinator, five_specialists
):
    specialist = five_specialists[Domain.DESIGN].user
    services.consultation_reply(consultation=routed, author=specialist, body="質問です。", then=Status.WAITING)
    assert '<span class="badge badge--waiting">市町の回答待ち</span>' in _html(login(specialist), "/consultations/")
    assert '<span class="badge badge--waiting">市町の回答待ち</span>' in _html(login(coordinator), "/consultations/")


# --- The banner ------------------------------------------------------------------------------------------------------


def test_the_request_page_opens_with_a_banner_when_the_viewer_must_act(
    login, routed, municipal_user, coordinator, five_specialists
):
    specialist = five_specialists[Domain.DESIGN].user
    url = routed.get_absolute_url()
    # Routed: the specialist's turn, not the municipality's nor the centre's.
    html = _html(login(specialist), url)
    assert 'class="banner banner--action"' in html and 'href="#reply"' in html
    assert 'class="banner banner--action"' not in _html(login(municipal_user), url)
    assert 'class="banner banner--action"' not in _html(login(coordinator), url)
    services.consultation_reply(consultation=routed, author=specialist, body="質問です。", then=Status.WAITING)
    html = _html(login(municipal_user), url)
    assert 'class="banner banner--action"' in html
    assert "専門官が追加の情報を求めています" in html
    assert 'class="banner banner--action"' not in _html(login(specialist), url)


def test_the_centre_is_sent_to_the_route_page_from_the_banner(login, submitted, coordinator):
    html = _html(login(coordinator), submitted.get_absolute_url())
    assert f'href="/consultations/{submitted.pk}/route/">振り分ける</a>' in html


def test_an_answer_leads_the_municipality_to_the_rating_below_the_conversation(
    login, routed, municipal_user, five_specialists
):
    services.consultation_reply(
        consultation=routed, author=five_specialists[Domain.DESIGN].user, body="こう進めましょう。", then="answered"
    )
    html = _html(login(municipal_user), routed.get_absolute_url())
    assert 'href="#accept"' in html
    assert html.index('id="thread-heading"') < html.index("こう進めましょう。") < html.index('id="accept-heading"')
    assert html.index('id="accept-heading"') < html.index('id="reply-heading"')


# --- Home pages ------------------------------------------------------------------------------------------------------


def test_municipal_staff_see_first_what_waits_for_their_answer(
    login, routed, municipal_user, five_specialists, centre_route
):
    specialist = five_specialists[Domain.DESIGN].user
    answered = centre_route(make_request(municipal_user, title="回答の出た相談"), five_specialists[Domain.DESIGN])
    html = _html(login(municipal_user), "/")
    assert "回答の出た相談" not in _todo(html, "確認をお願いしたい回答")
    services.consultation_reply(consultation=routed, author=specialist, body="質問", then=Status.WAITING)
    services.consultation_reply(consultation=answered, author=specialist, body="回答", then=Status.ANSWERED)
    html = _html(login(municipal_user), "/")
    assert html.index("あなたの対応を待っているもの") < html.index("ご利用いただける機能")
    assert routed.title in _todo(html, "あなたの回答を待っている相談")
    assert "回答の出た相談" in _todo(html, "確認をお願いしたい回答")
    assert "回答の出た相談" not in _todo(html, "あなたの回答を待っている相談")


@pytest.fixture
def centre_route(coordinator):
    def route(consultation, specialist):
        services.consultation_route(consultation=consultation, specialist=specialist, by=coordinator)
        consultation.refresh_from_db()
        return consultation

    return route


def test_specialists_see_new_requests_replies_and_their_oldest_open_ones(
    login, municipal_user, five_specialists, centre_route
):
    design = five_specialists[Domain.DESIGN]
    new = centre_route(make_request(municipal_user, title="新しく来た相談"), design)
    asked = centre_route(make_request(municipal_user, title="質問した相談"), design)
    services.consultation_reply(consultation=asked, author=design.user, body="質問", then=Status.WAITING)
    services.consultation_reply(consultation=asked, author=municipal_user, body="答えます")
    someone_elses = centre_route(make_request(municipal_user, title="ほかの専門官の相談"), five_specialists[Domain.PR])
    html = _html(login(design.user), "/")
    assert new.title in _todo(html, "新しく担当になった相談")
    assert asked.title not in _todo(html, "新しく担当になった相談")
    assert asked.title in _todo(html, "市町から返信あり")
    oldest = _todo(html, "対応中の相談（古い順）")
    assert oldest.index(new.title) < oldest.index(asked.title)
    assert someone_elses.title not in html


def test_coordinators_see_the_inbox_late_first_answers_and_hand_backs(
    login, municipal_user, coordinator, five_specialists, centre_route
):
    # The programme's reminder settings say 3 business days (the default) before a first answer is late.
    design = five_specialists[Domain.DESIGN]
    waiting = make_request(municipal_user, title="振り分け待ちの相談")
    late = centre_route(make_request(municipal_user, title="回答が遅れている相談"), design)
    recent = centre_route(make_request(municipal_user, title="昨日振り分けた相談"), design)
    # Routed on Monday 2026-11-16 (JST): by Friday 2026-11-20 four business days have passed; the other yesterday.
    Routing.objects.filter(consultation=late).update(routed_at=dt.datetime(2026, 11, 16, 1, tzinfo=dt.UTC))
    Routing.objects.filter(consultation=recent).update(routed_at=dt.datetime(2026, 11, 19, 1, tzinfo=dt.UTC))
    handed = centre_route(make_request(municipal_user, title="差し戻された相談"), design)
    services.consultation_hand_back(consultation=handed, by=design.user, reason="分野が違います")

    lists = {todo.key: todo for todo in selectors.todo_for(coordinator, today=dt.date(2026, 11, 20))}
    assert [c.title for c in lists["inbox"].rows] == [waiting.title, handed.title]
    assert [c.title for c in lists["overdue"].rows] == [late.title]
    assert [c.title for c in lists["handed_back"].rows] == [handed.title]
    html = _html(login(coordinator), "/")
    assert waiting.title in _todo(html, "振り分け待ち")
    assert handed.title in _todo(html, "専門官から差し戻された相談")


def test_a_list_shows_at_most_five_rows_and_links_to_the_rest(login, municipal_user, coordinator):
    for number in range(7):
        make_request(municipal_user, title=f"相談{number}")
    todo = {t.key: t for t in selectors.todo_for(coordinator)}["inbox"]
    assert (len(todo.rows), todo.more) == (selectors.TODO_ROWS, True)
    assert "すべて見る" in _todo(_html(login(coordinator), "/"), "振り分け待ち")


def test_the_overdue_cut_counts_business_days_in_tokyo(municipal_user, coordinator, five_specialists, centre_route):
    """Routed at 23:59 JST on Friday 13 November or at 00:00 JST on Monday 16th: by Thursday 19th the first has
    waited 4 business days (overdue at 3), the second 3 (overdue too), one routed on Tuesday 17th 2 (not yet)."""
    design = five_specialists[Domain.DESIGN]
    tokyo = timezone.get_default_timezone()
    routed_at = {
        "金曜23:59": dt.datetime(2026, 11, 13, 23, 59, tzinfo=tokyo),
        "月曜0:00": dt.datetime(2026, 11, 16, 0, 0, tzinfo=tokyo),
        "火曜0:00": dt.datetime(2026, 11, 17, 0, 0, tzinfo=tokyo),
    }
    for title, moment in routed_at.items():
        consultation = centre_route(make_request(municipal_user, title=title), design)
        Routing.objects.filter(consultation=consultation).update(routed_at=moment)
    lists = {t.key: t for t in selectors.todo_for(coordinator, today=dt.date(2026, 11, 19))}
    assert sorted(c.title for c in lists["overdue"].rows) == ["月曜0:00", "金曜23:59"]


@pytest.mark.parametrize("role", ["municipal_user", "specialist_user", "coordinator"])
def test_the_home_page_reads_a_fixed_number_of_queries(request, login, role, municipal_user, specialist):
    user = request.getfixturevalue(role)
    client = login(user)
    client.get("/")  # warm the session and the caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few = count()
    for number in range(12):
        consultation = make_request(municipal_user, title=f"相談{number}")
        services.consultation_route(
            consultation=consultation,
            specialist=specialist,
            by=factories.UserFactory(role="coordinator", programme=municipal_user.programme),
        )
    assert count() == few


def test_filing_directly_does_not_start_the_history_with_a_draft(municipal_user):
    filed = make_request(municipal_user)
    assert not Event.objects.filter(consultation=filed, kind=EventKind.CREATED).exists()
    draft = make_request(municipal_user, submit=False)
    assert Event.objects.filter(consultation=draft, kind=EventKind.CREATED).exists()
