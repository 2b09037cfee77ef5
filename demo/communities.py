"""Demo communities of the Ehime programme: one per region, the towns under 50,000 people, and a hand-picked group;
an announcement each and a workshop opened to one of them, built through the services."""

import datetime as dt

from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from municipalities import communities
from municipalities.enums import CommunityRule
from municipalities.models import Community, LocalGovernment, Programme, Region
from visits import services as visit_services
from visits.enums import Audience, EventKind


def demo_communities(programme: Programme) -> int:
    """Idempotent: nothing is added if the programme already has communities."""
    if Community.objects.filter(programme=programme).exists():
        return 0
    coordinator = User.objects.filter(programme=programme, role=Role.COORDINATOR).order_by("pk").first()
    if coordinator is None:
        return 0
    made = []
    for region in Region.objects.filter(prefecture_id=programme.prefecture_id).order_by("id"):
        made.append(
            communities.community_create(
                by=coordinator,
                programme=programme,
                fields={
                    "name": f"{region.name}の市町",
                    "description": f"{region.name}地域の市町で、DXの取組と勉強会の情報を共有します。",
                    "rule": CommunityRule.REGION,
                    "region": region,
                },
            )
        )
    made.append(
        communities.community_create(
            by=coordinator,
            programme=programme,
            fields={
                "name": "人口5万人未満の市町",
                "description": "専任のDX担当を置きにくい小規模な市町で、少ない人数で進める工夫を共有します。",
                "rule": CommunityRule.POPULATION,
                "population_below": 50_000,
            },
        )
    )
    members = list(LocalGovernment.objects.filter(membership__programme=programme).order_by("code")[:4])
    if members:
        made.append(
            communities.community_create(
                by=coordinator,
                programme=programme,
                fields={
                    "name": "書かない窓口研究会",
                    "description": "書かない窓口の導入を進める市町の研究会です。",
                    "rule": CommunityRule.CHOSEN,
                },
                chosen=members,
            )
        )
    for community in made:
        communities.announcement_post(
            by=coordinator,
            community=community,
            title="今年度の勉強会の予定",
            body="今年度は四半期ごとにオンラインで勉強会を開きます。議題の希望があれば支援センターまでお寄せください。",
        )
    if made:
        starts_at = timezone.localtime(timezone.now() + dt.timedelta(days=21)).replace(
            hour=14, minute=0, second=0, microsecond=0
        )
        visit_services.event_create(
            by=coordinator,
            programme=programme,
            fields={
                "kind": EventKind.WORKSHOP,
                "title": f"{made[0].name} DX勉強会",
                "description": "地域の市町が集まり、窓口DXの事例を持ち寄ります。",
                "venue": "オンライン",
                "online_url": "",
                "starts_at": starts_at,
                "ends_at": starts_at + dt.timedelta(hours=2),
                "capacity": 30,
                "audience": Audience.COMMUNITY,
                "community": made[0],
            },
        )
    return len(made)
