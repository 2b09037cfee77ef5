"""Fixtures for the knowledge library: answered requests, cases and deliverables built through the services."""

import pytest
from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import Consultation
from knowledge import services
from knowledge.enums import Kind, Status
from knowledge.models import Item
from specialists.enums import Domain
from tests import factories
from tests.consultations.conftest import five_specialists, make_request  # noqa: F401 - fixture used here

CASE = {
    "title": "窓口予約のオンライン化",
    "summary": "転入の繁忙期に窓口が混雑する。予約をオンラインで受け付けたい。",
    "advice": "予約システムは既存のLINE公式アカウントと連携し、まず転入手続きから始める。",
    "outcome": "待ち時間が平均40分から15分に短縮した。",
    "domain": Domain.DESIGN,
}


def answer(consultation, specialist_user, coordinator, specialist):
    consultation_services.consultation_route(consultation=consultation, specialist=specialist, by=coordinator)
    consultation.refresh_from_db()
    consultation_services.consultation_reply(
        consultation=consultation, author=specialist_user, body="回答です。", then="answered"
    )
    consultation.refresh_from_db()
    return consultation


@pytest.fixture
def designer(five_specialists):  # noqa: F811
    return five_specialists[Domain.DESIGN]


@pytest.fixture
def answered(municipal_user, coordinator, designer) -> Consultation:
    consultation = make_request(municipal_user, title="窓口の混雑対策", description="転入時期に窓口が混雑します。")
    return answer(consultation, designer.user, coordinator, designer)


def publish_case(by, consultation, **fields) -> Item:
    tags = fields.pop("tags", ["窓口", "予約"])
    item = services.case_create(by=by, consultation=consultation, fields={**CASE, **fields}, tag_names=tags)
    return services.item_publish(by=by, item=item)


def library_item(programme, *, by, status=Status.PUBLISHED, kind=Kind.DELIVERABLE, **fields) -> Item:
    """A deliverable (or, with municipality=…, a case) written directly, indexed as the services index it."""
    defaults = {"title": "ガイドライン", "summary": "説明", "domain": Domain.DATA, "deliverable_type": "guideline"}
    defaults.update(fields)
    tags = services.tags_for(defaults.pop("tags", []))
    item = Item(programme=programme, kind=kind, status=status, created_by=by, **defaults)
    if status == Status.PUBLISHED:
        item.published_at = defaults.get("published_at") or timezone.now()
    services._index(item, tags)
    item.save()
    item.tags.set(tags)
    if status == Status.PUBLISHED:
        services._count_grams(item.signature.split(), +1)
    return item


@pytest.fixture
def specialist_of_other_programme(other_programme):
    return factories.SpecialistFactory(user__programme=other_programme, domain=Domain.DATA).user
