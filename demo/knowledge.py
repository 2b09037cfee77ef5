"""Demo knowledge library: cases written from the demo's answered requests and a few deliverables, built through
knowledge.services (so the anonymity rules apply to the demo too)."""

from django.core.exceptions import ValidationError

from consultations.models import Consultation
from knowledge import services
from knowledge.models import Item
from municipalities.models import Programme
from specialists.enums import Domain

CASES = {
    Domain.DESIGN: (
        "窓口手続のオンライン化と書かない窓口",
        "転入・転出の繁忙期に窓口が混雑し、申請書の記入に時間がかかっていた。住民の負担を減らしたい。",
        "まず件数の多い手続を三つ選び、申請書の項目を見直す。マイナンバーカードの読み取りで記入を省き、"
        "職員が画面を見ながら聞き取る「書かない窓口」を一つの課で試行してから広げる。",
        "待ち時間が平均40分から15分に短縮した。",
        ["書かない窓口", "マイナンバーカード", "窓口"],
    ),
    Domain.DATA: (
        "RPAとAI-OCRによる定型業務の自動化",
        "給与や会計の定型作業に毎月多くの時間がかかり、担当者の残業が続いていた。",
        "業務を棚卸しして手順が決まっている作業から選ぶ。RPAのシナリオは担当課の職員が保守できる範囲にとどめ、"
        "紙の帳票はAI-OCRで読み取る。効果は作業時間で測る。",
        "年間で約300時間の作業を削減した。",
        ["RPA", "AI-OCR", "業務改善"],
    ),
    Domain.SECURITY: (
        "標準準拠システムへの移行とセキュリティポリシーの見直し",
        "基幹業務システムの標準化に合わせて、情報セキュリティポリシーの改定が必要か知りたい。",
        "ガバメントクラウドの利用を前提に、国のガイドラインの改定点と現行ポリシーを対照表にする。"
        "パスワード規程と外部記録媒体の扱いを先に直し、職員研修で周知する。",
        "",
        ["標準準拠システム", "ガバメントクラウド", "セキュリティ"],
    ),
    Domain.COCREATION: (
        "地元企業との包括連携協定による買い物支援",
        "中山間地域で買い物に困る高齢者が増えている。企業と組んで解決策を試したい。",
        "協定は目的と役割分担を短く書き、実証の期間と評価の方法を決めておく。"
        "地域活性化起業人の制度で企業の人材を受け入れることも検討する。",
        "移動販売の実証を半年行い、利用者は月200人を超えた。",
        ["官民共創", "包括連携協定", "高齢者"],
    ),
    Domain.PR: (
        "SNSで届く広報：観光と移住の情報発信",
        "広報紙だけでは若い世代に情報が届かない。SNSのアカウントも課ごとに乱立している。",
        "アカウントを目的別に整理し、投稿の担当と頻度を決める。写真と短い文で伝え、反応を月ごとに振り返る。",
        "フォロワーが一年で三倍になった。",
        ["SNS", "広報", "移住定住"],
    ),
}

DELIVERABLES = [
    (
        "市町DX推進ガイドライン",
        "guideline",
        Domain.DATA,
        "第2版",
        "municipal",
        "DX推進計画の立て方と進め方の手引き。",
        ["DX推進計画"],
    ),
    (
        "窓口BPRマニュアル",
        "manual",
        Domain.DESIGN,
        "2026年4月",
        "municipal",
        "窓口業務の見直しの手順と様式集。",
        ["窓口", "BPR"],
    ),
    (
        "情報セキュリティ研修資料",
        "training",
        Domain.SECURITY,
        "",
        "everyone",
        "職員向け研修の資料と確認テスト。",
        ["研修", "セキュリティ"],
    ),
]


def demo_library(programme: Programme) -> int:
    """Cases from answered requests (one per domain), the last one left as a draft whose municipality is asked
    whether it may be named; and three published deliverables, the first shared with every programme."""
    if Item.objects.filter(programme=programme).exists():  # idempotent: the demo is built once
        return 0
    coordinator = programme_coordinator(programme)
    written = 0
    for index, (domain, (title, summary, advice, outcome, tags)) in enumerate(CASES.items()):
        source = (
            Consultation.objects.filter(
                programme=programme, specialist__domain=domain, confidential=False, answered_at__isnull=False
            )
            .select_related("specialist__user")
            .order_by("answered_at")
            .first()
        )
        if source is None:
            continue
        fields = {"title": title, "summary": summary, "advice": advice, "outcome": outcome, "domain": domain}
        try:
            item = services.case_create(by=source.specialist.user, consultation=source, fields=fields, tag_names=tags)
        except ValidationError:
            continue
        if index < len(CASES) - 1:
            services.item_publish(by=source.specialist.user, item=item)
        else:
            services.naming_ask(by=source.specialist.user, item=item)
        written += 1
    for number, (title, kind, domain, version, audience, description, tags) in enumerate(DELIVERABLES):
        item = services.deliverable_create(
            by=coordinator,
            programme=programme,
            fields={
                "title": title,
                "deliverable_type": kind,
                "domain": domain,
                "version": version,
                "audience": audience,
                "summary": description,
            },
            tag_names=tags,
        )
        services.item_publish(by=coordinator, item=item)
        if number == 0:
            services.item_share(by=coordinator, item=item, with_all=True, programmes=[])
        written += 1
    return written


def programme_coordinator(programme: Programme):
    from accounts.enums import Role
    from accounts.models import User

    return User.objects.filter(programme=programme, role=Role.COORDINATOR).order_by("pk").first()
