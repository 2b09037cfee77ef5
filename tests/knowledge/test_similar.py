"""Similar past cases: ranked on a small labelled set (each request's expected case first), shown to the
municipality filing a request and to the coordinator routing it, within the reader's scope."""

import pytest
from django.urls import reverse

from knowledge import similar
from knowledge.enums import Kind
from specialists.enums import Domain
from tests.consultations.conftest import make_request
from tests.knowledge.conftest import library_item

pytestmark = pytest.mark.django_db

CASES = {
    "card": (
        "マイナンバーカードの交付促進",
        "出張申請窓口を開設し、マイナンバーカードの申請を商業施設で受け付けた。",
        Domain.DESIGN,
    ),
    "queue": (
        "窓口の待ち時間短縮",
        "番号札と呼出しモニターを導入し、転入繁忙期の窓口の混雑を緩和した。",
        Domain.DESIGN,
    ),
    "rpa": (
        "RPAによる給与事務の自動化",
        "給与計算と源泉徴収票の作成をRPAで自動化し、職員の作業時間を削減。",
        Domain.DATA,
    ),
    "opendata": (
        "オープンデータの公開",
        "避難所や公共施設の一覧をCSVで公開し、オープンデータカタログに登録した。",
        Domain.DATA,
    ),
    "security": (
        "情報セキュリティポリシーの改定",
        "標準準拠システムへの移行に合わせ、情報セキュリティポリシーとパスワード規程を見直した。",
        Domain.SECURITY,
    ),
    "phishing": ("標的型メール訓練", "職員向けに標的型攻撃メールの訓練を行い、開封率を下げた。", Domain.SECURITY),
    "sns": (
        "観光PRのSNS運用",
        "観光協会と連携してInstagramとLINEで観光情報を発信し、フォロワーを増やした。",
        Domain.PR,
    ),
    "furusato": ("ふるさと納税の返礼品PR", "返礼品の写真と紹介文を見直し、ふるさと納税の寄付額が増えた。", Domain.PR),
    "company": ("企業との連携協定", "地元企業と包括連携協定を結び、買い物支援の実証実験を行った。", Domain.COCREATION),
    "drone": ("ドローン配送の実証", "山間部へのドローン配送を民間事業者と共同で実証した。", Domain.COCREATION),
}

REQUESTS = [
    ("マイナンバーカードの申請を増やしたい", "出張で申請を受け付ける方法を知りたいです。", "card"),
    ("窓口が混雑して待ち時間が長い", "転入の時期に窓口がいっぱいになります。番号札は効果がありますか。", "queue"),
    ("給与事務をRPAで効率化したい", "給与計算の作業時間を減らしたいです。", "rpa"),
    ("オープンデータを公開したい", "公共施設の一覧をどの形式で公開すればよいか。", "opendata"),
    ("セキュリティポリシーの見直し", "標準準拠システムへの移行でポリシーの改定が必要か。", "security"),
    ("メール訓練をしたい", "標的型攻撃メールへの職員の対応力を高めたい。", "phishing"),
    ("SNSで観光情報を発信したい", "Instagramの運用のコツを教えてください。", "sns"),
    ("ふるさと納税の寄付を増やしたい", "返礼品の見せ方を改善したい。", "furusato"),
    ("企業と連携協定を結びたい", "包括連携協定の進め方を知りたい。", "company"),
    ("ドローンで物資を届けたい", "山間部の配送に使えるか実証したい。", "drone"),
]


@pytest.fixture
def cases(programme, specialist_user, municipality):
    return {
        key: library_item(
            programme,
            by=specialist_user,
            kind=Kind.CASE,
            municipality=municipality,
            title=title,
            summary=summary,
            domain=domain,
            deliverable_type="",
        )
        for key, (title, summary, domain) in CASES.items()
    }


@pytest.mark.parametrize(("subject", "body", "expected"), REQUESTS)
def test_the_labelled_case_comes_first(cases, municipal_user, subject, body, expected):
    found = similar.similar_cases(municipal_user, subject=subject, body=body)
    assert found, subject
    assert found[0] == cases[expected], [case.title for case in found]
    assert len(found) <= similar.LIMIT


def test_unrelated_text_finds_nothing(cases, municipal_user):
    assert similar.similar_cases(municipal_user, subject="ですます", body="よろしくお願いします。") == []


def test_deliverables_and_other_programmes_cases_are_not_proposed(
    cases, programme, other_programme, other_coordinator, outside_municipality, specialist_user, municipal_user
):
    library_item(programme, by=specialist_user, title="マイナンバーカード交付の手引き", summary="出張申請")
    foreign = library_item(
        other_programme,
        by=other_coordinator,
        kind=Kind.CASE,
        municipality=outside_municipality,
        title="マイナンバーカードの出張申請",
        summary="マイナンバーカードの出張申請窓口",
        deliverable_type="",
    )
    found = similar.similar_cases(municipal_user, subject="マイナンバーカードの出張申請", body="")
    assert foreign not in found
    assert all(case.kind == Kind.CASE for case in found)


def test_the_filing_form_and_the_routing_page_show_them(login, cases, municipal_user, coordinator, five_specialists):
    client = login(municipal_user)
    response = client.get(reverse("knowledge:similar"), {"subject": "窓口が混雑", "description": "番号札を使いたい"})
    assert response.status_code == 200 and cases["queue"].title in response.content.decode()
    assert "data-similar-url" in client.get(reverse("consultations:create")).content.decode()
    consultation = make_request(municipal_user, title="マイナンバーカードの申請を増やしたい", description="出張申請")
    page = client.get(reverse("consultations:submitted", args=[consultation.pk])).content.decode()
    assert cases["card"].title in page
    page = login(coordinator).get(reverse("consultations:route", args=[consultation.pk])).content.decode()
    assert cases["card"].title in page
    assert cases["card"].municipality.name not in page.split("similar-heading")[1]  # anonymous cases stay so


def test_the_cache_forgets_when_the_library_changes(cases, municipal_user, programme, specialist_user, municipality):
    before = similar.similar_cases(municipal_user, subject="水道料金の口座振替", body="")
    assert before == []
    from knowledge import services

    added = library_item(
        programme,
        by=specialist_user,
        kind=Kind.CASE,
        municipality=municipality,
        title="水道料金の口座振替をオンライン化",
        summary="口座振替の申込みをスマートフォンで",
        deliverable_type="",
    )
    services._library_changed()  # what publishing does, after commit
    from django.core.cache import cache

    cache.incr(services.GENERATION_KEY)
    assert similar.similar_cases(municipal_user, subject="水道料金の口座振替", body="") == [added]


@pytest.mark.parametrize(("subject", "body", "expected"), REQUESTS[:4])
def test_the_sqlite_scoring_agrees_with_the_database(cases, municipal_user, subject, body, expected):
    """The quick start (SQLite) scores in Python; on PostgreSQL both ways must give the same order."""
    from django.db import connection

    from knowledge import selectors

    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's scoring")
    weights = similar._weights(subject, body)
    visible = selectors.items_visible_to(municipal_user).filter(kind=Kind.CASE)
    in_python = similar._score_in_python(visible.values_list("pk", "signature", "domain"), weights, "")
    in_database = similar._score_in_database(visible, weights, "")
    assert [pk for _s, pk in in_python] == [pk for _s, pk in in_database]
    assert [round(s, 6) for s, _pk in in_python] == [round(s, 6) for s, _pk in in_database]
