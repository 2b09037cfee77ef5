"""The directory's and the needs' pages: filters, markup shown escaped or refused, bad input answered without a 500,
and a constant number of queries with few and with many rows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.partners import demo_partners
from knowledge.partners import selectors, services
from knowledge.partners.models import Partner
from specialists.enums import Domain
from tests.knowledge.partners.conftest import PARTNER, agreement_fields, make_partner

pytestmark = pytest.mark.django_db
DIRECTORY = "/knowledge/partners/"
NEEDS = "/knowledge/partners/needs/"


def test_addresses():
    assert reverse("knowledge:partner_list") == DIRECTORY
    assert reverse("knowledge:need_list") == NEEDS


def _names(response):
    return [partner.name for partner in response.context["page"].object_list]


def test_filters(login, coordinator, region, other_region, public_partner):
    make_partner(coordinator, name="データ東予", domains=[Domain.DATA], skills=["オープンデータ"], regions=[region])
    make_partner(coordinator, name="広報どこでも", domains=[Domain.PR], skills=["SNS"], kind="talent")
    make_partner(coordinator, name="データ南予", domains=[Domain.DATA], skills=["BI"], regions=[other_region])
    client = login(coordinator)
    assert _names(client.get(DIRECTORY + "?domain=data")) == ["データ南予", "データ東予"]
    assert _names(client.get(DIRECTORY + "?domain=design")) == ["公開デザイン合同会社"]
    assert _names(client.get(DIRECTORY + "?kind=talent")) == ["広報どこでも"]
    assert _names(client.get(DIRECTORY + "?skill=ｓｎｓ")) == ["広報どこでも"]  # normalised like tags
    assert _names(client.get(DIRECTORY + "?skill=オープン")) == ["データ東予"]
    # A region: partners in it and those that work anywhere.
    assert _names(client.get(DIRECTORY + f"?region={region.pk}")) == [
        "データ東予",
        "公開デザイン合同会社",
        "広報どこでも",
    ]
    assert _names(client.get(DIRECTORY + "?q=南予")) == ["データ南予"]
    assert _names(client.get(DIRECTORY + "?q=bi")) == ["データ南予"]  # skills are searched too


@pytest.mark.parametrize(
    "query",
    [
        "?domain=<script>",
        "?region=abc",
        "?region=99999999999999999999",
        "?cursor=garbage",
        "?kind=%00",
        "?q=" + "x" * 500,
        "?inactive=maybe",
    ],
)
def test_bad_filters_do_not_fail(login, coordinator, own_partner, query):
    response = login(coordinator).get(DIRECTORY + query)
    assert response.status_code in (200, 400)
    assert "<script>" not in response.text.split("<main", 1)[-1].replace("&lt;script&gt;", "")


def test_markup_in_names_is_escaped_and_in_skills_refused(login, coordinator, municipal_user):
    client = login(coordinator)
    data = {
        "kind": "company",
        "name": "<script>alert('x')</script>株式会社",
        "organisation": "<b>親会社</b>",
        "description": "<img src=x onerror=alert(1)>",
        "domains": ["data"],
        "skills": "RPA, <i>kintone</i>",
        "visibility": "programme",
        "active": "on",
    }
    refused = client.post(reverse("knowledge:partner_create"), data)
    assert refused.status_code == 400
    assert "skills" in refused.context["form"].errors
    assert "<i>kintone</i>" not in refused.text and "&lt;i&gt;kintone&lt;/i&gt;" in refused.text
    assert not Partner.objects.exists()

    data["skills"] = "RPA, kintone"
    assert client.post(reverse("knowledge:partner_create"), data).status_code == 302
    partner = Partner.objects.get()
    for who in (coordinator, municipal_user):
        for url in (DIRECTORY, partner.get_absolute_url()):
            text = login(who).get(url).text
            assert "<script>alert" not in text and "&lt;script&gt;alert" in text
            assert "<b>親会社</b>" not in text
            assert "<img src=x" not in text


def test_partner_form_errors_name_their_field(login, coordinator):
    response = login(coordinator).post(
        reverse("knowledge:partner_create"), {"kind": "nonsense", "name": "", "contact_email": "not-an-address"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"kind", "name", "domains", "contact_email"} <= set(errors)
    assert "Enter the partner's name." in errors["name"]


def test_editing_a_partner_keeps_its_relations(login, coordinator, region):
    partner = make_partner(coordinator, skills=["RPA"], regions=[region], domains=[Domain.DATA, Domain.PR])
    client = login(coordinator)
    form = client.get(reverse("knowledge:partner_edit", args=[partner.pk])).context["form"]
    assert form.initial["skills"] == ["RPA"] and set(form.initial["domains"]) == {"data", "pr"}
    response = client.post(
        reverse("knowledge:partner_edit", args=[partner.pk]),
        {"kind": "talent", "name": "新しい名前", "domains": ["pr"], "skills": "広報", "visibility": "public"},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.kind, partner.visibility, partner.active, partner.anywhere) == (
        "新しい名前",
        "talent",
        "public",
        False,
        True,
    )
    assert [row.domain for row in partner.domain_rows.all()] == ["pr"]
    assert [s.name for s in partner.skills.all()] == ["広報"]


def _queries(client, url) -> tuple[int, int]:
    """The page's queries as its first reader pays them (nothing kept), then as the next reader does."""
    counts = []
    cache.clear()
    for _reader in ("first", "next"):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(ctx.captured_queries))
    return tuple(counts)


def _add_partners(coordinator, n, start, regions):
    for i in range(start, start + n):
        partner = make_partner(
            coordinator,
            name=f"パートナー{i:03d}",
            domains=[Domain.values[i % 5], Domain.values[(i + 1) % 5]],
            skills=[f"技能{i % 7}", f"技能{i % 3}"],
            regions=regions[: i % 3],
            visibility="public" if i % 2 else "programme",
        )
        if i % 4 == 0:
            services.agreement_create(
                by=coordinator,
                programme=coordinator.programme,
                partner=partner,
                municipality=coordinator.programme.members.first(),
                fields=agreement_fields(),
            )


def _add_needs(user, n):
    for i in range(n):
        services.need_post(
            by=user,
            fields={"title": f"ニーズ{i}", "description": "説明", "domain": Domain.values[i % 5], "region": None},
            skills=[f"技能{i % 7}"],
        )


PAGES = {
    "directory (centre)": ("coordinator", DIRECTORY),
    "directory (municipality)": ("municipal_user", DIRECTORY),
    "directory filtered": ("coordinator", DIRECTORY + "?domain=data&skill=技能1&kind=company"),
    "directory by region": ("municipal_user", DIRECTORY + "?region={region}"),
    "directory search": ("coordinator", DIRECTORY + "?q=パートナー"),
    "directory, next page": ("coordinator", DIRECTORY + "?cursor={cursor}"),
    "needs (centre)": ("coordinator", NEEDS),
    "needs (municipality)": ("municipal_user", NEEDS),
    "needs (specialist)": ("specialist_user", NEEDS + "?status=open"),
    "need (centre)": ("coordinator", "{need}"),
    "partner (centre)": ("coordinator", "{partner}"),
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_do_not_grow(request, login, page, coordinator, municipal_user, specialist_user, region, other_region):
    who, template = PAGES[page]
    client = login(request.getfixturevalue(who))
    regions = [region, other_region]

    def url():
        first = login(coordinator).get(DIRECTORY).context["page"]
        need = services.need_post(
            by=municipal_user,
            fields={"title": "計測", "description": "d", "domain": "data", "region": None},
            skills=["技能1"],
        )
        partner = Partner.objects.order_by("id").first()
        return template.format(
            cursor=first.next_cursor, region=region.pk, need=need.get_absolute_url(), partner=partner.get_absolute_url()
        )

    _add_partners(coordinator, 27, 0, regions)  # two pages of the directory
    _add_needs(municipal_user, 27)
    few = _queries(client, url())
    _add_partners(coordinator, 40, 27, regions)
    _add_needs(municipal_user, 40)
    many = _queries(client, url())
    assert few == many, f"{page}: {few} queries with 27 partners, {many} with 67"
    if page.startswith("directory"):
        assert few[1] < few[0], "the directory's list is kept for its next reader"
    print(f"\n{page}: {few} queries (first reader, next reader)")


def test_the_kept_directory_follows_every_change(login, coordinator, municipal_user, other_coordinator):
    """The list is kept per programme and reader, and any change to a partner renews it at once."""
    partner = make_partner(coordinator, name="株式会社まえ", visibility="programme")
    centre, staff, outsider = login(coordinator), login(municipal_user), login(other_coordinator)
    assert "株式会社まえ" in centre.get(DIRECTORY).text
    assert "株式会社まえ" in staff.get(DIRECTORY).text
    assert "株式会社まえ" not in outsider.get(DIRECTORY).text  # same address, another programme: its own list
    services.partner_update(
        by=coordinator,
        partner=partner,
        fields={**PARTNER, "name": "株式会社あと", "visibility": "public"},
        domains=[Domain.PR],
        skills=["広報"],
        regions=[],
    )
    for client in (centre, staff, outsider):
        text = client.get(DIRECTORY).text
        assert "株式会社あと" in text and "株式会社まえ" not in text
    assert "株式会社あと" not in staff.get(DIRECTORY + "?domain=data").text
    assert "株式会社あと" in staff.get(DIRECTORY + "?domain=pr").text
    # A partner's skill renamed by the admin or the shell (a save, not the services) renews the list too.
    skill = partner.skills.get()
    skill.name = "広報戦略"
    skill.save()
    assert "広報戦略" in staff.get(DIRECTORY).text
    # The centre's inactive partners under the same address are not what a municipality's staff read.
    services.partner_update(
        by=coordinator,
        partner=partner,
        fields={**PARTNER, "name": "株式会社あと", "active": False},
        domains=[Domain.PR],
        skills=["広報"],
        regions=[],
    )
    assert "株式会社あと" in centre.get(DIRECTORY + "?inactive=on").text
    assert "株式会社あと" not in staff.get(DIRECTORY + "?inactive=on").text
    assert "株式会社あと" not in staff.get(DIRECTORY).text


def test_demo_partners(coordinator, municipal_user, other_coordinator, region):
    assert demo_partners(coordinator.programme, other_coordinator.programme) == 6
    assert demo_partners(coordinator.programme) == 0  # idempotent
    assert len(selectors.ending_soon(coordinator)) == 1
    assert selectors.needs_visible_to(municipal_user).count() == 2
