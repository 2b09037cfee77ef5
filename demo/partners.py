"""Demo partners: companies, outside talent and two 地域活性化起業人 with their agreements (one ending within weeks,
so the directory shows its warning), a public partner of the second programme, needs from municipalities and a
specialist, and introductions with their outcomes. Everything goes through knowledge.partners.services."""

import datetime as dt
import random

from django.utils import timezone

from accounts.models import User
from dxshare import textsearch
from knowledge.partners import services
from knowledge.partners.models import Partner, PartnerDomain, PartnerKind, Skill
from municipalities.models import Programme, Region
from specialists.enums import Domain

CONTACT = {"contact_email": "", "contact_phone": "", "active": True, "organisation": ""}

PARTNERS = [
    # (kind, name, organisation, description, domains, skills, region names (none: anywhere), visibility)
    (
        "company",
        "株式会社えひめデータラボ",
        "",
        "自治体のオープンデータ公開、BIダッシュボードの構築を支援します。",
        [Domain.DATA],
        ["オープンデータ", "BI", "Python"],
        ["中予"],
        "programme",
    ),
    (
        "company",
        "瀬戸内デザインスタジオ合同会社",
        "",
        "窓口の申請書や案内のUIデザイン、住民参加のワークショップを得意とします。",
        [Domain.DESIGN, Domain.COCREATION],
        ["UIデザイン", "ワークショップ", "書かない窓口"],
        [],
        "public",
    ),
    (
        "talent",
        "高橋 由紀",
        "フリーランス",
        "自治体のSNS運用と広報の改善を支援してきた広報アドバイザー。",
        [Domain.PR],
        ["SNS", "広報", "動画"],
        ["東予", "南予"],
        "programme",
    ),
    (
        "company",
        "南予セキュリティサービス株式会社",
        "",
        "庁内ネットワークの分離、三層分離の見直し、職員向けセキュリティ研修。",
        [Domain.SECURITY],
        ["ネットワーク", "セキュリティ研修", "ゼロトラスト"],
        ["南予"],
        "programme",
    ),
    (
        "seconded",
        "佐藤 健",
        "株式会社まちづくり観光",
        "地域活性化起業人として観光DXを担当。観光データの分析と発信。",
        [Domain.PR, Domain.DATA],
        ["観光", "データ分析", "SNS"],
        [],
        "programme",
    ),
    (
        "seconded",
        "鈴木 亮",
        "四国通信株式会社",
        "地域活性化起業人として庁内のDX推進と職員研修を担当。",
        [Domain.SECURITY, Domain.COCREATION],
        ["kintone", "RPA", "職員研修"],
        [],
        "programme",
    ),
]


def demo_partners(programme: Programme, second: Programme | None = None, *, today: dt.date | None = None) -> int:
    """Create the demo directory once (idempotent: nothing is added if the programme already has partners)."""
    if Partner.objects.filter(programme=programme).exists():
        return 0
    today = today or timezone.localdate()
    coordinator = programme.users.filter(role="coordinator").order_by("email").first()
    if coordinator is None:
        return 0
    regions = {region.name: region for region in Region.objects.filter(prefecture=programme.prefecture)}
    created = {}
    for kind, name, organisation, description, domains, skills, region_names, visibility in PARTNERS:
        created[name] = services.partner_create(
            by=coordinator,
            programme=programme,
            fields={
                **CONTACT,
                "kind": kind,
                "name": name,
                "organisation": organisation,
                "description": description,
                "contact_name": name if kind != "company" else "担当者",
                "visibility": visibility,
            },
            domains=list(domains),
            skills=skills,
            regions=[regions[n] for n in region_names if n in regions],
        )
    members = list(programme.members.order_by("code"))
    staff = list(programme.users.filter(role="municipal").select_related("organisation").order_by("email"))
    # Two secondments: one started ten months ago and ends within six weeks (the warning), one for two years.
    first_start = today - dt.timedelta(days=320)
    services.agreement_create(
        by=coordinator,
        programme=programme,
        partner=created["佐藤 健"],
        municipality=members[min(3, len(members) - 1)],
        fields={
            "signed_on": first_start - dt.timedelta(days=14),
            "purpose": "観光DXの推進",
            "scope": "観光データの分析、SNSでの発信、観光事業者向け研修",
            "starts_on": first_start,
            "ends_on": today + dt.timedelta(days=40),
            "yearly_cost": 5_600_000,
        },
    )
    second_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    services.agreement_create(
        by=coordinator,
        programme=programme,
        partner=created["鈴木 亮"],
        municipality=members[0],
        fields={
            "signed_on": second_start - dt.timedelta(days=20),
            "purpose": "庁内DXの推進",
            "scope": "業務改善（kintone, RPA）と職員研修",
            "starts_on": second_start,
            "ends_on": services.term_end(second_start, 24),
            "yearly_cost": 4_800_000,
        },
    )
    if second is not None and not Partner.objects.filter(programme=second).exists():
        other = second.users.filter(role="coordinator").first()
        if other is not None:
            services.partner_create(
                by=other,
                programme=second,
                fields={
                    **CONTACT,
                    "kind": "company",
                    "name": "高知オープンデータ協会",
                    "description": "オープンデータの研修と公開支援（全国対応）。",
                    "contact_name": "事務局",
                    "visibility": "public",
                },
                domains=[Domain.DATA],
                skills=["オープンデータ", "研修"],
                regions=[],
            )
    if staff:
        need = services.need_post(
            by=staff[0],
            fields={
                "title": "オープンデータを公開できる人",
                "description": "統計データをオープンデータとして公開し、カタログサイトを作りたい。",
                "domain": Domain.DATA,
                "region": None,
            },
            skills=["オープンデータ", "BI"],
        )
        introduction = services.introduction_record(
            by=coordinator, need=need, partner=created["株式会社えひめデータラボ"], note="先方に概要を伝えました。"
        )
        services.introduction_set_outcome(
            by=coordinator, introduction=introduction, outcome="meeting", note="オンラインで面談しました。"
        )
        services.need_post(
            by=staff[-1],
            fields={
                "title": "SNSの発信を手伝ってくれる人",
                "description": "若い世代に届く発信をしたい。",
                "domain": Domain.PR,
                "region": None,
            },
            skills=["SNS", "動画"],
        )
    return len(created)


# --- National scale (benchmarks) -------------------------------------------------------------------------------------

SKILL_WORDS = [
    "オープンデータ",
    "BI",
    "RPA",
    "kintone",
    "SNS",
    "動画",
    "UIデザイン",
    "ワークショップ",
    "観光",
    "GIS",
    "ネットワーク",
    "セキュリティ研修",
    "Python",
    "AI",
    "広報",
    "ノーコード",
    "データ分析",
    "防災",
    "教育",
    "農業",
]


def partners_fill(*, per_programme: int = 200, public_share: int = 5, seed: int = 2026) -> int:
    """Bulk partners for every programme that has none (`per_programme` each; one in `public_share` public), with
    their domains, skills and regions, as partner_create would leave them. Returns the partners added."""
    rng = random.Random(seed)
    Skill.objects.bulk_create(
        [Skill(name=word, key=textsearch.normalise(word)) for word in SKILL_WORDS], ignore_conflicts=True
    )
    skills = list(Skill.objects.filter(key__in=[textsearch.normalise(word) for word in SKILL_WORDS]))
    added = 0
    for programme in Programme.objects.exclude(pk__in=Partner.objects.values("programme_id")).order_by("slug"):
        author = User.objects.filter(programme=programme, role="coordinator").first()
        if author is None:
            continue
        regions = list(Region.objects.filter(prefecture_id=programme.prefecture_id))
        rows = []
        for i in range(per_programme):
            kind = PartnerKind.values[i % 3]
            name = f"{programme.slug}パートナー{i:04d}"
            chosen = rng.sample(skills, 3)
            rows.append(
                (
                    Partner(
                        programme=programme,
                        kind=kind,
                        name=name,
                        description="規模試験のパートナーです。",
                        contact_name="担当者",
                        visibility="public" if i % public_share == 0 else "programme",
                        anywhere=not regions or i % 2 == 0,
                        created_by=author,
                        search_text=textsearch.document(name, *[s.name for s in chosen], "規模試験のパートナーです。"),
                    ),
                    chosen,
                    [] if not regions or i % 2 == 0 else [regions[i % len(regions)]],
                    rng.sample(Domain.values, 2),
                )
            )
        Partner.objects.bulk_create([row[0] for row in rows])
        PartnerDomain.objects.bulk_create(
            [PartnerDomain(partner=partner, domain=d) for partner, _s, _r, domains in rows for d in domains]
        )
        Partner.skills.through.objects.bulk_create(
            [Partner.skills.through(partner=partner, skill=s) for partner, chosen, _r, _d in rows for s in chosen]
        )
        Partner.regions.through.objects.bulk_create(
            [Partner.regions.through(partner=partner, region=r) for partner, _s, regions, _d in rows for r in regions]
        )
        added += len(rows)
    return added
