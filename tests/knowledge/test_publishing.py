"""Publishing rules: a case comes only from an answered request that is not confidential, is anonymous unless its
municipality agrees, and never says where it came from while anonymous."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations import services as consultation_services
from knowledge import selectors, services
from knowledge.enums import Naming, Status
from knowledge.models import Gram, Item
from tests.consultations.conftest import checked_pdf, make_request
from tests.knowledge.conftest import CASE, publish_case

pytestmark = pytest.mark.django_db


def test_a_specialist_publishes_an_answered_request_as_an_anonymous_case(answered, designer, other_municipal_user):
    item = publish_case(designer.user, answered)
    assert item.status == Status.PUBLISHED and item.published_by == designer.user
    assert item.naming == Naming.ANONYMOUS and item.municipality == answered.organisation
    assert not item.names_municipality
    assert list(selectors.items_visible_to(other_municipal_user)) == [item]
    assert Gram.objects.get(gram="").items == 1  # the library's size, for the weights of similar cases


def test_an_unanswered_request_cannot_be_published(municipal_user, designer, five_specialists):
    consultation = make_request(municipal_user)
    with pytest.raises(ValidationError, match="まだ回答がありません"):
        services.case_create(by=designer.user, consultation=consultation, fields=CASE, tag_names=[])
    assert not Item.objects.exists()


def test_a_confidential_request_cannot_be_published_until_the_flag_is_lifted(answered, designer, municipal_user):
    answered.confidential = True
    answered.save(update_fields=["confidential"])
    with pytest.raises(ValidationError, match="非公開"):
        services.case_create(by=designer.user, consultation=answered, fields=CASE, tag_names=[])
    assert not Item.objects.exists()
    answered.confidential = False
    answered.save(update_fields=["confidential"])
    item = publish_case(designer.user, answered)
    assert item.is_published


def test_a_request_made_confidential_after_publication_leaves_the_library(answered, designer, other_municipal_user):
    item = publish_case(designer.user, answered)
    answered.confidential = True
    answered.save(update_fields=["confidential"])
    assert not selectors.items_visible_to(other_municipal_user).filter(pk=item.pk).exists()
    with pytest.raises(ValidationError):  # and cannot be published again while confidential
        services.item_withdraw(by=designer.user, item=item)
        services.item_publish(by=designer.user, item=item)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("title", "{name}の窓口改革"),
        ("summary", "{base}では転入期に混雑する"),
        ("advice", "担当の{person}さんに説明した"),
        ("outcome", "{reference}として対応"),
        ("summary", "code {code}"),
        ("summary", "{name_en_upper} had queues"),
    ],
)
def test_an_anonymous_case_may_not_name_its_municipality(answered, designer, municipal_user, field, text):
    town = answered.organisation
    words = {
        "name": town.name,
        "base": town.name[:-1],
        "person": municipal_user.full_name,
        "reference": answered.reference,
        "code": town.code,
        "name_en_upper": town.name_en.upper(),
    }
    with pytest.raises(ValidationError) as refused:
        services.case_create(
            by=designer.user, consultation=answered, fields={**CASE, field: text.format(**words)}, tag_names=[]
        )
    assert field in refused.value.message_dict
    assert "匿名" in refused.value.message_dict[field][0]
    assert not Item.objects.exists()


def test_tags_and_file_names_may_not_name_it_either(answered, designer):
    town = answered.organisation
    with pytest.raises(ValidationError) as refused:
        services.case_create(by=designer.user, consultation=answered, fields=CASE, tag_names=[town.name])
    assert "tags" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.case_create(
            by=designer.user,
            consultation=answered,
            fields=CASE,
            tag_names=[],
            files=[checked_pdf(f"{town.name}資料.pdf")],
        )
    assert "files" in refused.value.message_dict
    assert not Item.objects.exists()


def test_full_width_spelling_does_not_get_round_the_rule(answered, designer):
    town = answered.organisation
    code = "".join(chr(ord(c) + 0xFEE0) for c in town.code)  # ０１２３… full-width digits
    with pytest.raises(ValidationError):
        services.case_create(by=designer.user, consultation=answered, fields={**CASE, "summary": code}, tag_names=[])


def test_the_municipality_decides_whether_it_is_named(answered, designer, municipal_user, other_municipal_user):
    item = publish_case(designer.user, answered)
    with pytest.raises(PermissionDenied):  # only the municipality itself decides
        services.naming_decide(by=designer.user, item=item, agree=True)
    with pytest.raises(PermissionDenied):
        services.naming_decide(by=other_municipal_user, item=item, agree=True)
    services.naming_ask(by=designer.user, item=item)
    item.refresh_from_db()
    assert item.naming == Naming.ASKED and not item.names_municipality
    services.naming_decide(by=municipal_user, item=item, agree=True)
    item.refresh_from_db()
    assert item.names_municipality and item.naming_decided_by == municipal_user
    # Named, the text may say where it came from; declined again, the case is withdrawn until it is rewritten.
    services.item_update(
        by=designer.user, item=item, fields={"summary": f"{answered.organisation.name}の事例"}, tag_names=[]
    )
    services.naming_decide(by=municipal_user, item=item, agree=False)
    item.refresh_from_db()
    assert item.naming == Naming.DECLINED and item.status == Status.WITHDRAWN


def test_only_one_case_per_request(answered, designer):
    publish_case(designer.user, answered)
    with pytest.raises(ValidationError, match="既に事例"):
        services.case_create(by=designer.user, consultation=answered, fields=CASE, tag_names=[])


def test_municipal_and_prefecture_staff_do_not_write(answered, municipal_user, prefecture_user):
    for user in (municipal_user, prefecture_user):
        with pytest.raises(PermissionDenied):
            services.case_create(by=user, consultation=answered, fields=CASE, tag_names=[])
        with pytest.raises(PermissionDenied):
            services.deliverable_create(by=user, programme=answered.programme, fields=CASE, tag_names=[])


def test_withdrawing_and_editing_keep_the_bigram_counts_right(answered, designer):
    item = publish_case(designer.user, answered)
    assert Gram.objects.get(gram="予約").items == 1
    services.item_update(
        by=designer.user,
        item=item,
        fields={**CASE, "title": "窓口の混雑", "summary": "混雑", "advice": "整理券", "outcome": ""},
        tag_names=[],
    )
    assert Gram.objects.get(gram="予約").items == 0
    assert Gram.objects.get(gram="整理").items == 1
    services.item_withdraw(by=designer.user, item=item)
    assert Gram.objects.get(gram="整理").items == 0
    assert Gram.objects.get(gram="").items == 0


def test_a_reopened_request_keeps_its_case(answered, designer, municipal_user):
    item = publish_case(designer.user, answered)
    consultation_services.consultation_change_status(
        consultation=answered, to_status="in_progress", by=municipal_user, reason="追加の質問"
    )
    assert Item.objects.get(pk=item.pk).is_published


def test_asking_the_municipality_mails_the_requester_once(answered, designer, municipal_user, mailoutbox):
    from notifications.models import Notification

    item = publish_case(designer.user, answered)
    services.naming_ask(by=designer.user, item=item)
    services.naming_ask(by=designer.user, item=item)
    sent = Notification.objects.filter(kind="knowledge.naming_asked")
    assert [n.recipient_id for n in sent] == [municipal_user.pk]
    assert item.get_absolute_url() in sent.get().body
