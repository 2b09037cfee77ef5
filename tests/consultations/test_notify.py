"""E-mails about a request go only to people who may see it, in their language, as they chose to receive them."""

import pytest
from django.core import mail

from accounts.enums import EmailDelivery
from consultations import services
from consultations.models import Watcher
from notifications.models import Notification
from specialists.enums import Domain
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_internal_notes_never_reach_the_municipality(
    routed, municipal_user, coordinator, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_reply(
            consultation=routed, author=routed.specialist.user, body="内部の見立て", internal=True
        )
    assert municipal_user.email not in _recipients()
    assert coordinator.email in _recipients()
    assert all("内部の見立て" not in m.body for m in mail.outbox if municipal_user.email in m.to)


def test_a_confidential_request_is_not_mailed_to_someone_who_cannot_see_it(
    municipal_user, coordinator, five_specialists, other_specialist, django_capture_on_commit_callbacks
):
    secret = make_request(municipal_user, confidential=True)
    services.consultation_route(consultation=secret, specialist=five_specialists[Domain.COCREATION], by=coordinator)
    Watcher.objects.create(consultation=secret, user=other_specialist.user)  # e.g. left over from before
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_reply(consultation=secret, author=municipal_user, body="追加の資料です")
    assert other_specialist.user.email not in _recipients()
    assert five_specialists[Domain.COCREATION].user.email in _recipients()


def test_each_recipient_reads_their_own_language(routed, municipal_user, django_capture_on_commit_callbacks):
    specialist = routed.specialist.user
    specialist.language = "en"
    specialist.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_reply(consultation=routed, author=municipal_user, body="よろしくお願いします")
    english = next(m for m in mail.outbox if specialist.email in m.to)
    assert "replied to" in english.body and routed.reference in english.subject


def test_digest_readers_get_no_immediate_mail(routed, municipal_user, django_capture_on_commit_callbacks):
    municipal_user.email_delivery = EmailDelivery.DIGEST
    municipal_user.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_reply(consultation=routed, author=routed.specialist.user, body="回答します")
    assert municipal_user.email not in _recipients()
    row = Notification.objects.get(recipient=municipal_user, kind="consultation.reply")
    assert row.digest and row.sent_at is None


def test_the_author_is_not_mailed_about_their_own_message(routed, municipal_user, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_reply(consultation=routed, author=municipal_user, body="自分の投稿")
    assert municipal_user.email not in _recipients()
