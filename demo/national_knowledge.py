"""National-scale knowledge library for benchmarks: `library_fill(items=100_000)` spreads published cases and
deliverables over the 47 benchmark programmes of demo.national (run national_fill first). Programme nat-38 gets
a quarter of them; one item in twenty is shared with every programme. Texts are put together from a vocabulary of
the programme's themes, so that words are common (「職員」, 「窓口」), middling (「マイナンバーカード」) or rare
(「ドローン配送」) as in a real library. Bulk inserts through the models, indexed as knowledge.services indexes
(search text, title text, signature, bigram counts); the portal never uses this module."""

import datetime as dt
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from knowledge import services
from knowledge.enums import DeliverableType, Kind, Status
from knowledge.models import Gram, Item, Tag
from municipalities.models import Programme
from specialists.enums import Domain

BATCH = 2000
BIG_SHARE = 4  # nat-38 gets one item in four

THEMES = [
    ("マイナンバーカード", Domain.DESIGN),
    ("窓口予約", Domain.DESIGN),
    ("書かない窓口", Domain.DESIGN),
    ("電子申請", Domain.DESIGN),
    ("ホームページ改修", Domain.DESIGN),
    ("子育てアプリ", Domain.DESIGN),
    ("RPA", Domain.DATA),
    ("オープンデータ", Domain.DATA),
    ("EBPM", Domain.DATA),
    ("データ連携基盤", Domain.DATA),
    ("生成AI", Domain.DATA),
    ("AI議事録", Domain.DATA),
    ("標準準拠システム", Domain.SECURITY),
    ("ガバメントクラウド", Domain.SECURITY),
    ("情報セキュリティポリシー", Domain.SECURITY),
    ("テレワーク", Domain.SECURITY),
    ("標的型メール訓練", Domain.SECURITY),
    ("地域活性化起業人", Domain.COCREATION),
    ("包括連携協定", Domain.COCREATION),
    ("ドローン配送", Domain.COCREATION),
    ("オンデマンド交通", Domain.COCREATION),
    ("スマート農業", Domain.COCREATION),
    ("ふるさと納税", Domain.PR),
    ("観光PR", Domain.PR),
    ("SNS運用", Domain.PR),
    ("移住定住", Domain.PR),
    ("広報紙のデジタル化", Domain.PR),
]
ACTIONS = ["の導入", "の推進", "の見直し", "の効果検証", "の進め方", "の住民周知", "の庁内展開", "の費用対効果"]
SENTENCES = [
    "職員の業務負担が大きく、{theme}について庁内で検討を始めた。",
    "住民アンケートでは{theme}への期待が高かった。",
    "担当課と情報政策課が連携し、{theme}の計画を作った。",
    "近隣の市町の事例を調べ、{theme}の課題を整理した。",
    "予算の確保と職員研修が課題であった。",
    "窓口の混雑と紙の申請書の多さが問題になっていた。",
    "小規模な町のため、専任の職員を置くことが難しい。",
    "まず一つの課で試行し、効果を測ってから全庁に広げることにした。",
    "外部の専門家の助言を受け、仕様書を見直した。",
    "住民説明会を開き、高齢者にも使いやすい手順を考えた。",
]
ADVICE = [
    "{theme}は小さく始めて、利用者の声を聞きながら改善すること。",
    "目標となる指標を先に決め、導入前後で比較できるようにすること。",
    "ベンダーに任せきりにせず、庁内で要件を整理すること。",
    "他の市町と共同で調達すると費用を抑えられる。",
    "職員向けの研修を繰り返し、担当者が替わっても続けられる体制を作ること。",
]
OUTCOMES = [
    "処理時間が三割短縮した。",
    "住民の満足度が上がった。",
    "年間で約300時間の作業を削減した。",
    "他の課にも展開が決まった。",
    "申請件数が前年の二倍になった。",
]
TAGS = [theme for theme, _domain in THEMES] + ["窓口", "研修", "予算", "調達", "高齢者", "子育て", "防災", "観光"]


def _text(rng: random.Random, theme: str) -> tuple[str, str, str, str]:
    title = f"{theme}{rng.choice(ACTIONS)}"
    summary = "".join(rng.choice(SENTENCES).format(theme=theme) for _ in range(3))
    advice = "".join(rng.choice(ADVICE).format(theme=theme) for _ in range(3))
    outcome = rng.choice(OUTCOMES)
    return title, summary, advice, outcome


def library_fill(*, items: int, now: dt.datetime | None = None) -> int:
    """Add about `items` published library items across the benchmark programmes (once: a programme that has
    items already is left alone). Returns how many were added."""
    now = now or timezone.now()
    programmes = list(Programme.objects.filter(slug__startswith="nat-").order_by("slug"))
    if not programmes or items <= 0:
        return 0
    tags = {name: Tag.objects.get_or_create(key=name.casefold(), defaults={"name": name})[0] for name in TAGS}
    big = next((p for p in programmes if p.slug == "nat-38"), programmes[0])
    shares = {
        p.pk: (items // BIG_SHARE if p == big else (items - items // BIG_SHARE) // (len(programmes) - 1))
        for p in programmes
    }
    grams: Counter[str] = Counter()
    added = 0
    for index, programme in enumerate(programmes):
        if Item.objects.filter(programme=programme).exists():
            continue
        rng = random.Random(1000 + index)
        writer = User.objects.filter(programme=programme, role=Role.COORDINATOR).first()
        members = list(programme.members.values_list("pk", flat=True))
        if writer is None or not members:
            continue
        batch: list[tuple[Item, list[Tag]]] = []
        for number in range(shares[programme.pk]):
            theme, domain = rng.choice(THEMES)
            title, summary, advice, outcome = _text(rng, theme)
            case = rng.random() < 0.7
            chosen = [tags[theme], *rng.sample([tags[name] for name in TAGS[len(THEMES) :]], rng.randint(0, 2))]
            published = now - dt.timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
            item = Item(
                programme=programme,
                kind=Kind.CASE if case else Kind.DELIVERABLE,
                status=Status.PUBLISHED,
                title=title,
                summary=summary,
                advice=advice if case else "",
                outcome=outcome if case else "",
                domain=domain,
                deliverable_type="" if case else rng.choice(DeliverableType.values),
                municipality_id=rng.choice(members) if case else None,
                shared_with_all=number % 20 == 0,
                created_by=writer,
                published_by=writer,
                published_at=published,
            )
            services._index(item, chosen)
            grams.update(item.signature.split())
            batch.append((item, chosen))
            if len(batch) >= BATCH:
                added += _flush(batch)
                batch = []
        added += _flush(batch)
    _count(grams, added)
    return added


def _flush(batch: list[tuple[Item, list[Tag]]]) -> int:
    if not batch:
        return 0
    with transaction.atomic():
        created = Item.objects.bulk_create([item for item, _tags in batch])
        Item.tags.through.objects.bulk_create(
            [
                Item.tags.through(item_id=item.pk, tag_id=tag.pk)
                for item, (_i, chosen) in zip(created, batch, strict=True)
                for tag in chosen
            ]
        )
    return len(created)


def _count(grams: Counter, added: int) -> None:
    grams[""] += added
    known = dict(Gram.objects.values_list("gram", "items"))
    rows = [Gram(gram=gram, items=known.get(gram, 0) + count) for gram, count in grams.items()]
    Gram.objects.bulk_create(
        rows, batch_size=5000, update_conflicts=True, unique_fields=["gram"], update_fields=["items"]
    )
