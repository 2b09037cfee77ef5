"""Search that works in Japanese (dxshare.textsearch): any substring of two or more characters, full- and half-width
forms alike, through the bigram index on PostgreSQL, with the same answers whichever way the rows are read."""

import pytest
from django.db import connection
from django.urls import reverse

from consultations.models import Consultation
from dxshare import textsearch
from tests import factories
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db


def test_normalise_brings_widths_and_cases_together():
    assert textsearch.normalise("ＡＩ　チャットボット") == "ai チャットボット"
    assert textsearch.normalise("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ") == textsearch.normalise("マイナンバーカード")
    assert textsearch.normalise("ＤＸ推進　２０２６年度") == "dx推進 2026年度"
    assert textsearch.terms("a データ　活用 データ") == [textsearch.normalise("データ"), "活用"]
    assert textsearch.terms("県") == []
    assert textsearch.bigrams("データ") == ["データ"[:2], "ータ"]


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("コンピューター", "コンピュータ"),
        ("サーバ", "サーバー"),
        ("ヴァイオリン教室", "バイオリン"),
        ("データ・サイエンス", "データサイエンス"),
        ("ウィンドウズ", "ウインドウズ"),
        ("ｻｰﾊﾞｰ", "サーバ"),
        ("ケ所", "ヶ所"),
    ],
)
def test_katakana_variants_meet(written, searched):
    assert textsearch.normalise(searched) in textsearch.normalise(written)


@pytest.fixture
def requests(municipal_user, five_specialists):
    return {
        "card": make_request(
            municipal_user, title="マイナンバーカードの取得率向上", description="窓口の混雑も課題です。"
        ),
        "sns": make_request(
            municipal_user, title="SNSアカウントの整理", description="広報のアカウントが乱立しています。"
        ),
        "ai": make_request(municipal_user, title="ＡＩチャットボットの導入", description="問い合わせ対応に使いたい。"),
    }


def _found(query: str, **kwargs) -> set[str]:
    result = textsearch.search(Consultation.objects.all(), query, **kwargs)
    return {c.title for c in result.queryset}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("マイナンバーカード", {"card"}),  # a word inside a longer phrase, no spaces around it
        ("カード", {"card"}),
        ("向上", {"card"}),  # two characters
        ("ﾏｲﾅﾝﾊﾞｰ", {"card"}),  # half-width katakana
        ("ai", {"ai"}),  # full-width in the text, half-width and lower case in the query
        ("ＳＮＳ", {"sns"}),
        ("アカウント 乱立", {"sns"}),  # every term must be there
        ("アカウント 窓口", set()),
        ("混雑", {"card"}),  # the description is searched too
        ("カードゲーム", set()),
        ("ータの", set()),
    ],
)
def test_substrings_are_found(requests, query, expected):
    titles = {key: consultation.title for key, consultation in requests.items()}
    assert _found(query) == {titles[key] for key in expected}


def test_reference_and_municipality_are_searched(requests, municipality):
    card = requests["card"]
    assert _found(card.reference.lower()) == {card.title}
    assert len(_found(municipality.name)) == 3


def test_every_way_of_reading_gives_the_same_rows(requests):
    """The list read in order (whole, or because the word is common), or the bigram index's ids, or walking past
    the cap: the same rows whichever way the search decides to read."""
    ways = {
        "window": {"recent": 1000},
        "index": {"recent": 0, "cap": 1000},
        "walk past the cap": {"recent": 0, "cap": 0},
    }
    for query in ("アカウント", "の", "相談 窓口", "カード", "ai"):
        found = {
            name: set(textsearch.search(Consultation.objects.all(), query, **way).queryset)
            for name, way in ways.items()
        }
        assert len({frozenset(rows) for rows in found.values()}) == 1, (query, found)
    assert textsearch.search(Consultation.objects.all(), "アカウント", recent=0, cap=0).capped


def test_a_common_word_is_counted_as_at_least_what_was_seen(municipal_user):
    for number in range(40):
        factories.ConsultationFactory(
            requester=municipal_user, title=f"職員研修 {number}", search_text=f"職員研修 {number}"
        )
    result = textsearch.search(Consultation.objects.all(), "職員", order=("-submitted_at", "-id"), recent=30)
    assert result.capped and result.count >= textsearch.PAGE
    assert result.queryset.count() == 40
    whole = textsearch.search(Consultation.objects.all(), "職員", order=("-submitted_at", "-id"), recent=100)
    assert (whole.count, whole.capped) == (40, False)


@pytest.mark.postgres
def test_the_bigram_index_answers_the_search(requests):
    if connection.vendor != "postgresql":
        pytest.skip("the bigram index exists on PostgreSQL only")
    queryset = textsearch.candidates(Consultation.objects.all(), "カード")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "consult_search_bigrams_idx" in plan


def test_a_one_character_search_asks_for_more(login, coordinator, requests):
    response = login(coordinator).get(reverse("consultations:list"), {"q": "県"})
    assert response.status_code == 200
    assert "2文字以上" in response.content.decode()
    assert len(response.context["page"].object_list) == 3  # nothing filtered away silently


def test_the_queue_searches(login, coordinator, requests):
    response = login(coordinator).get(reverse("consultations:list"), {"q": "ﾁｬｯﾄﾎﾞｯﾄ"})
    assert [c.title for c in response.context["page"]] == ["ＡＩチャットボットの導入"]
    assert response.context["page"].count == 1
