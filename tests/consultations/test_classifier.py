"""The domain classifier: keywords, routed history, the requester's choice; and its accuracy on held-out requests.

No database: the classifier is pure Python.
"""

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from consultations.classifier import (
    DOMAINS,
    DomainClassifier,
    Reason,
    Suggestion,
    load_keywords,
    normalise,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "consultations" / "data" / "demo_requests.json"
LABELLED = Path(__file__).resolve().parent / "data" / "labelled_requests.json"
ACCURACY_FLOOR = 0.85  # measured 0.907 with history, 0.867 keywords only; the brief's minimum is 0.80


def _text(item: dict) -> str:
    return f"{item['title']}\n{item['description']}"


@pytest.fixture(scope="module")
def training() -> list[dict]:
    return json.loads(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def evaluation() -> list[dict]:
    return json.loads(LABELLED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def keywords_only() -> DomainClassifier:
    return DomainClassifier()


def _keyword_labels(suggestion: Suggestion, domain: str) -> list[str]:
    return [r.label for r in suggestion.reasons[domain] if r.kind == "keyword"]


# --- accuracy on the held-out set ------------------------------------------------------------------------------


def test_evaluation_set_is_disjoint_from_training(training, evaluation):
    assert {x["title"] for x in training}.isdisjoint(x["title"] for x in evaluation)
    seen = {x["description"][i : i + 20] for x in training for i in range(len(x["description"]) - 19)}
    shared = [
        x["title"]
        for x in evaluation
        if any(x["description"][i : i + 20] in seen for i in range(len(x["description"]) - 19))
    ]
    assert shared == []


def _evaluate(classifier: DomainClassifier, evaluation: list[dict]) -> tuple[float, Counter]:
    matrix = Counter((x["domain"], classifier.suggest(_text(x)).domain) for x in evaluation)
    correct = sum(n for (truth, guess), n in matrix.items() if truth == guess)
    return correct / len(evaluation), matrix


def _print_matrix(matrix: Counter) -> None:
    columns = [*DOMAINS, None]
    print("  truth \\ suggested " + "".join(f"{(c or '(none)'):>11}" for c in columns))
    for truth in DOMAINS:
        print(f"  {truth:<18}" + "".join(f"{matrix[(truth, c)]:>11}" for c in columns))


def test_accuracy_on_labelled_requests(training, evaluation, keywords_only, capsys):
    classifier = DomainClassifier(history=[(_text(x), x["domain"]) for x in training])
    accuracy, matrix = _evaluate(classifier, evaluation)
    keyword_accuracy, keyword_matrix = _evaluate(keywords_only, evaluation)
    with capsys.disabled():
        print(f"\nDomain classifier on {len(evaluation)} held-out labelled requests (history: {len(training)} demo):")
        print(f"  accuracy with history: {accuracy:.3f}   keywords only: {keyword_accuracy:.3f}")
        print("  confusion matrix, with history:")
        _print_matrix(matrix)
        print("  confusion matrix, keywords only:")
        _print_matrix(keyword_matrix)
    assert accuracy >= ACCURACY_FLOOR


# --- keywords ------------------------------------------------------------------------------------------------------


def test_keyword_decides_and_is_explained(keywords_only):
    s = keywords_only.suggest("庁内のランサムウェア対策について相談したい")
    assert (s.domain, s.source) == ("security", "keywords")
    assert Reason("keyword", "ランサムウェア", 3.0) in s.reasons["security"]
    assert s.scores["security"] == 3.0


def test_normalise_width_and_case():
    assert normalise("ＵＩ／ＵＸ") == "ui/ux"
    assert normalise("ﾃﾞｻﾞｲﾝ") == "デザイン"
    assert normalise("LINE公式アカウント") == "line公式アカウント"


def test_full_width_latin_matches(keywords_only):
    s = keywords_only.suggest("ホームページのＵＩを改善したい")
    assert s.domain == "design"
    assert "UI" in _keyword_labels(s, "design")


def test_latin_keyword_not_matched_inside_a_longer_word(keywords_only):
    s = keywords_only.suggest("build guide")  # contains "ui" twice, but not the word UI
    assert s.domain is None and s.source == "none"


def test_longer_keyword_counts_once(keywords_only):
    s = keywords_only.suggest("LINE公式アカウントを開設したい")
    assert _keyword_labels(s, "pr") == ["LINE公式アカウント"]  # not also "LINE" or "アカウント"
    assert s.scores["pr"] == 3.0


def test_shorter_keyword_counts_when_it_also_stands_alone(keywords_only):
    s = keywords_only.suggest("LINE公式アカウントとは別に、職員間のLINE利用について")
    assert sorted(_keyword_labels(s, "pr")) == ["LINE", "LINE公式アカウント"]


def test_keyword_counted_once_per_text(keywords_only):
    s = keywords_only.suggest("ランサムウェア、ランサムウェア、ランサムウェア")
    assert s.scores["security"] == 3.0


def test_custom_keywords_and_unknown_domain():
    s = DomainClassifier(keywords={"data": {"みかん": 2}}).suggest("みかんの出荷量")
    assert (s.domain, s.scores["data"]) == ("data", 2.0)
    with pytest.raises(ValueError, match="unknown"):
        DomainClassifier(keywords={"marketing": {"広報": 3}})


def test_load_keywords_covers_the_five_domains_and_returns_a_copy():
    keywords = load_keywords()
    assert set(keywords) == set(DOMAINS)
    keywords["pr"].clear()
    assert load_keywords()["pr"]


# --- requester, nothing, shape -------------------------------------------------------------------------------------


def test_requester_choice_is_the_fallback(keywords_only):
    s = keywords_only.suggest("よろしくお願いいたします。", requested_domain="data")
    assert (s.domain, s.source, s.confident) == ("data", "requester", False)
    assert s.reasons["data"] == [Reason("requester", "data", 0.5)]


def test_requester_choice_breaks_a_tie(keywords_only):
    s = keywords_only.suggest("ペルソナを作りたい", requested_domain="pr")  # ペルソナ: design 2, pr 2
    assert (s.domain, s.source) == ("pr", "requester")


def test_nothing_at_all(keywords_only):
    s = keywords_only.suggest("よろしくお願いいたします。", requested_domain="no-such-domain")
    assert (s.domain, s.source, s.confident) == (None, "none", False)
    assert s.scores == dict.fromkeys(DOMAINS, 0.0)


def test_scores_and_reasons_cover_all_five_domains(keywords_only):
    s = keywords_only.suggest("SNSの広報とセキュリティポリシーの見直し")
    assert list(s.scores) == list(DOMAINS) == ["design", "security", "data", "cocreation", "pr"]
    assert set(s.reasons) == set(DOMAINS)
    assert all(v == round(v, 2) for v in s.scores.values())


def test_reasons_strongest_first(keywords_only):
    s = keywords_only.suggest("ダッシュボードでデータを見たい")  # ダッシュボード 3, データ 1
    points = [r.points for r in s.reasons["data"]]
    assert points == sorted(points, reverse=True) and len(points) == 2


def test_confident_flag(keywords_only):
    assert keywords_only.suggest("ランサムウェア対策とバックアップの見直し").confident is True
    tied = keywords_only.suggest("ペルソナを作りたい")  # ペルソナ: design 2, pr 2
    assert tied.scores["design"] == tied.scores["pr"] == 2.0
    assert tied.confident is False


# --- history -------------------------------------------------------------------------------------------------------

FESTIVAL = ["みかん祭りの来場者を増やしたい", "みかん祭りの出店者を集めたい", "みかん祭りの開催日程を決めたい",
            "みかん祭りの会場を選びたい", "みかん祭りの予算を組みたい"]  # fmt: skip
SIGNS = ["庁舎の案内板の配置を変えたい", "庁舎の案内板の文字を大きくしたい", "庁舎の案内板の色を見直したい",
         "庁舎の案内板を多言語にしたい", "庁舎の案内板の数を減らしたい"]  # fmt: skip
HISTORY = [(t, "pr") for t in FESTIVAL] + [(t, "design") for t in SIGNS]


def test_history_moves_an_ambiguous_text(keywords_only):
    text = "みかん祭りのペルソナを考えたい"  # ペルソナ: design 2, pr 2; the tie would go to design
    assert keywords_only.suggest(text).domain == "design"
    s = DomainClassifier(history=HISTORY).suggest(text)
    assert (s.domain, s.source) == ("pr", "history")
    history = [r for r in s.reasons["pr"] if r.kind == "history"]
    assert len(history) == 1 and history[0].label == "5" and 0 < history[0].points <= 3.0


def test_history_alone_decides_without_keywords():
    s = DomainClassifier(history=HISTORY).suggest("庁舎の案内板について")
    assert (s.domain, s.source) == ("design", "history")


def test_history_does_not_beat_several_strong_keywords():
    s = DomainClassifier(history=HISTORY).suggest("みかん祭りのランサムウェア対策とバックアップ")
    assert (s.domain, s.source) == ("security", "keywords")


def test_thin_history_says_nothing():
    s = DomainClassifier(history=HISTORY[:4]).suggest("みかん祭りについて")
    assert (s.domain, s.source) == (None, "none")


def test_history_with_unknown_domains_is_skipped():
    s = DomainClassifier(history=[(t, "tourism") for t in FESTIVAL] + HISTORY[:4]).suggest("みかん祭りについて")
    assert s.source == "none"  # 4 usable items: below the minimum


def test_text_unlike_any_history_gets_no_history_points():
    s = DomainClassifier(history=HISTORY).suggest("ＸＹＺ")
    assert (s.domain, s.source) == (None, "none")


def test_builds_and_suggests_fast(training, evaluation):
    history = [(_text(x), x["domain"]) for x in training] * 25  # 1,000 routed requests
    started = time.perf_counter()
    classifier = DomainClassifier(history=history)
    for item in evaluation[:30]:
        classifier.suggest(_text(item))
    assert time.perf_counter() - started < 2.0  # generous for slow CI; measured well under 0.1 s
