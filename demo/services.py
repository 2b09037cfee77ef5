"""Demo data built through the same services as real data. Idempotent: run it again and nothing is duplicated."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings

from accounts import two_factor
from accounts.enums import Role
from accounts.models import User
from accounts.services import user_create
from demo.communities import demo_communities
from demo.consultations import demo_consultations
from demo.knowledge import demo_library
from demo.partners import demo_partners
from demo.visits import demo_visits
from dxshare.fiscal import current_fiscal_year
from municipalities.enums import TargetMetric
from municipalities.models import LocalGovernment
from municipalities.services import local_governments_import, prefecture_details_import, programme_create_or_update
from specialists.enums import Domain
from specialists.models import Specialist
from specialists.services import specialist_create

DEMO_PASSWORD = "dxshare-demo-2026"  # noqa: S105 - published on purpose: demo accounts only

SPECIALISTS = [
    (Domain.DESIGN, "山本 葵", "design"),
    (Domain.SECURITY, "佐藤 健一", "security"),
    (Domain.DATA, "高橋 美咲", "data"),
    (Domain.COCREATION, "伊藤 大輔", "cocreation"),
    (Domain.PR, "渡辺 結衣", "pr"),
]
SPECIALIST_PROFILES = {
    Domain.DESIGN: "利用者中心のDXワークショップを各市町で開催し、取組事例を活動集にまとめています。",
    Domain.SECURITY: (
        "クラウド導入、ネットワーク、情報セキュリティの相談に対応し、人口5万人未満の市町のコミュニティを運営しています。"
    ),
    Domain.DATA: (
        "EBPMワークショップ、データ利活用ガイドラインとデータ作成マニュアルの整備、中予地域の広域連携を支援しています。"
    ),
    Domain.COCREATION: "マイナンバーカードの普及などをテーマに官民共創を進め、事例集を作成しています。",
    Domain.PR: "ターゲットとペルソナの設定、SNSアカウントの整理・統合など、伝わる広報を支援しています。",
}
SURNAMES = [
    "田中",
    "鈴木",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "山下",
    "中島",
    "石井",
    "小川",
    "前田",
    "岡田",
    "長谷川",
    "藤田",
    "後藤",
    "近藤",
    "村田",
    "遠藤",
]
GIVEN_NAMES = ["陽菜", "蓮", "結菜", "湊", "さくら", "大翔", "美月", "悠真", "花", "颯太", "真央", "拓海"]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    description: str


# The demo's site administrator, centre heads and coordinators sign in with a second step (as they must): their
# authenticator app's key is this one, printed with the logins; `manage.py demo_totp_code` prints the current code.
DEMO_TOTP_SECRET = "DXSHAREDEMODXSHAREDEMODXSHAREDEM"  # noqa: S105 - base32, published for the demo


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: a full-strength hash per person would take seconds


def _person(email, full_name, role, programme=None, organisation=None, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email, full_name=full_name, role=role, programme=programme, organisation=organisation, **extra
        )
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    if two_factor.required_for(user) and not two_factor.enrolled(user):
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def _specialist(user: User, domain: str, active_from: dt.date) -> Specialist:
    existing = Specialist.objects.filter(user=user).first()
    return existing or specialist_create(
        user=user,
        domain=domain,
        title="DX推進専門官",
        profile=SPECIALIST_PROFILES.get(domain, ""),
        active_from=active_from,
    )


def _targets(fiscal_years, values) -> dict:
    return {(year, metric): value for year in fiscal_years for metric, value in values.items()}


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    if not LocalGovernment.objects.filter(code="380008").exists():
        local_governments_import()
    prefecture_details_import()
    fy = current_fiscal_year()
    start_of_previous_fy = dt.date(fy - 1, 4, 1)
    logins: list[DemoLogin] = []

    ehime = LocalGovernment.objects.get(code="380008")
    ehime_members = list(LocalGovernment.objects.filter(prefecture=ehime, region__isnull=False).order_by("code"))
    programme = programme_create_or_update(
        slug="ehime",
        name="愛媛県・市町DX推進会議",
        name_en="Ehime Prefecture-Municipalities DX Promotion Council",
        centre_name="チーム愛媛DX推進支援センター",
        centre_name_en="Team Ehime DX Support Centre",
        reference_prefix="EH",
        prefecture=ehime,
        members=ehime_members,
        joined_on=start_of_previous_fy,
        contact={
            "centre_phone": "089-912-0000",
            "centre_email": "dx-center@ehime.example",
            "centre_hours": "平日 9:00–17:00（年末年始を除く）",
        },
        targets=_targets(
            [fy - 1, fy],
            {
                TargetMetric.ONSITE_VISITS: 100,
                TargetMetric.CONSULTATIONS: 150,
                TargetMetric.WORKSHOPS: 20,
                TargetMetric.SATISFACTION: 80,
            },
        ),
    )
    for domain, name, slug in SPECIALISTS:
        user = _person(f"{slug}@specialists.ehime.example", name, Role.SPECIALIST, programme)
        _specialist(user, domain, start_of_previous_fy)
        logins.append(DemoLogin(user.email, Role.SPECIALIST, f"{Domain(domain).label}"))
    head = _person("head@centre.ehime.example", "村上 誠", Role.CENTRE_HEAD, programme)
    logins.append(DemoLogin(head.email, Role.CENTRE_HEAD, programme.centre_name))
    for index, name in enumerate(["中村 彩", "小林 翔"], start=1):
        user = _person(f"coordinator{index}@centre.ehime.example", name, Role.COORDINATOR, programme)
        logins.append(DemoLogin(user.email, Role.COORDINATOR, programme.centre_name))
    pref = _person("dx@pref.ehime.example", "加藤 由美", Role.PREFECTURE, programme, ehime)
    logins.append(DemoLogin(pref.email, Role.PREFECTURE, ehime.name))
    person_index = 0
    for municipality in ehime_members:
        staff_count = 2 if (municipality.population or 0) >= 100_000 else 1
        for number in range(1, staff_count + 1):
            name = f"{SURNAMES[person_index % len(SURNAMES)]} {GIVEN_NAMES[person_index % len(GIVEN_NAMES)]}"
            person_index += 1
            local = municipality.name_en.lower().replace(" ", "").replace("-", "")
            email = f"staff{number}@{local}.ehime.example"
            user = _person(email, name, Role.MUNICIPAL, programme, municipality)
            logins.append(DemoLogin(user.email, Role.MUNICIPAL, municipality.name))

    kochi = LocalGovernment.objects.get(code="390003")
    kochi_members = list(LocalGovernment.objects.filter(prefecture=kochi).order_by("code")[:3])
    second = programme_create_or_update(
        slug="kochi",
        name="高知県デジタル人材シェアリング（デモ）",
        name_en="Kochi Digital Talent Sharing (demo)",
        centre_name="高知DX支援デスク",
        centre_name_en="Kochi DX Support Desk",
        reference_prefix="KC",
        prefecture=kochi,
        members=kochi_members,
        joined_on=start_of_previous_fy,
        targets=_targets([fy], {TargetMetric.ONSITE_VISITS: 30}),
    )
    user = _person("data@specialists.kochi.example", "岡本 隆", Role.SPECIALIST, second)
    _specialist(user, Domain.DATA, start_of_previous_fy)
    logins.append(DemoLogin(user.email, Role.SPECIALIST, f"{second.name}: {Domain.DATA.label}"))
    user = _person("coordinator@centre.kochi.example", "西村 恵", Role.COORDINATOR, second)
    logins.append(DemoLogin(user.email, Role.COORDINATOR, second.centre_name))
    user = _person(f"staff1@{kochi_members[0].code}.kochi.example", "宮本 舞", Role.MUNICIPAL, second, kochi_members[0])
    logins.append(DemoLogin(user.email, Role.MUNICIPAL, kochi_members[0].name))

    # Demo e-mails stay in memory: nobody reads the demo addresses, and the console would drown in them.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        demo_consultations(programme)
        demo_visits(programme)
        demo_library(programme)
        demo_communities(programme)
        demo_partners(programme, second)

    admin = _person("admin@dxshare.example", "サイト管理者", Role.SITE_ADMIN, is_staff=True, is_superuser=True)
    logins.insert(0, DemoLogin(admin.email, Role.SITE_ADMIN, "Django admin"))
    return logins
