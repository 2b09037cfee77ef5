"""Mail carries no secrets: a confidential request's mails name it by reference and link only; rows are sent only
while the recipient may still see what they are about (at once and in the digest); a status-change mail tells each
person the status their own page shows them."""

import pytest
from django.core import mail
from django.utils import translation

from accounts.enums import EmailDelivery
from consultations import services
from consultations.enums import Status
from notifications.models import Notification
from notifications.services import digest_send_to, notification_send
from specialists.enums import Domain
from tests.conftest import client_for
from tests.consultations.conftest import make_request

pytestmark = pytest.mark.django_db
SECRET_TITLE = "極秘の庁内再編計画"
SECRET_TEXT = "来年度に三課を統合する案"


def _everything_mailed() -> str:
    return "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)


def _file_and_work(municipal_user, coordinator, specialist, capture, *, confidential):
    with capture(execute=True):
        request = make_request(municipal_user, confidential=confidential, title=SECRET_TITLE, description=SECRET_TEXT)
    with capture(execute=True):
        services.consultation_route(consultation=request, specialist=specialist, by=coordinator, reason=SECRET_TEXT)
    with capture(execute=True):
        services.consultation_reply(consultation=request, author=specialist.user, body=SECRET_TEXT)
    with capture(execute=True):
        services.consultation_reply(consultation=request, author=municipal_user, body=SECRET_TEXT)
    with capture(execute=True):
        services.consultation_change_status(consultation=request, to_status=Status.ANSWERED, by=specialist.user)
    return request


def test_a_confidential_requests_mails_carry_the_reference_and_a_link_only(
    municipal_user, coordinator, five_specialists, django_capture_on_commit_callbacks
):
    specialist = five_specialists[Domain.DESIGN]
    mail.outbox.clear()
    request = _file_and_work(
        municipal_user, coordinator, specialist, django_capture_on_commit_callbacks, confidential=True
    )
    assert len(mail.outbox) >= 4  # the centre, the specialist and the municipality were each told
    everything = _everything_mailed()
    assert SECRET_TITLE not in everything and SECRET_TEXT not in everything
    for message in mail.outbox:
        assert request.reference in message.subject and request.get_absolute_url() in message.body


def test_an_ordinary_requests_mails_quote_it(
    municipal_user, coordinator, five_specialists, django_capture_on_commit_callbacks
):
    """The control: the same story without the flag is quoted, so the test above would see a leak."""
    mail.outbox.clear()
    _file_and_work(
        municipal_user,
        coordinator,
        five_specialists[Domain.DESIGN],
        django_capture_on_commit_callbacks,
        confidential=False,
    )
    everything = _everything_mailed()
    assert SECRET_TITLE in everything and SECRET_TEXT in everything


def test_the_digest_asks_again_whether_the_recipient_may_still_see_each_item(
    routed, municipal_user, other_municipality, django_capture_on_commit_callbacks
):
    municipal_user.email_delivery = EmailDelivery.DIGEST
    municipal_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_reply(consultation=routed, author=routed.specialist.user, body="一つ目の回答")
    row = Notification.objects.get(recipient=municipal_user, digest=True)
    assert row.about_id == routed.pk
    # Before the digest goes, the person moves to another municipality: the request is no longer theirs to read.
    municipal_user.organisation = other_municipality
    municipal_user.save()
    mail.outbox.clear()
    assert digest_send_to(recipient_id=municipal_user.pk) is False
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.sent_at is None and row.failed_at is not None and row.last_error


def test_the_digest_sends_what_is_still_visible_and_holds_back_the_rest(
    routed, municipal_user, five_specialists, coordinator, django_capture_on_commit_callbacks
):
    specialist = routed.specialist.user
    specialist.email_delivery = EmailDelivery.DIGEST
    specialist.save()
    other = make_request(municipal_user, title="別件の相談")
    services.consultation_route(consultation=other, specialist=routed.specialist, by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_reply(consultation=routed, author=municipal_user, body="残る件")
        services.consultation_reply(consultation=other, author=municipal_user, body="外れる件")
    # The second request goes to another specialist and becomes confidential: the first specialist may not see it.
    services.consultation_route(
        consultation=other,
        specialist=five_specialists[Domain.DATA],
        by=coordinator,
        reason="データ分野",
        expected_specialist_id=routed.specialist_id,
    )
    other.confidential = True
    other.save(update_fields=["confidential"])
    mail.outbox.clear()
    assert digest_send_to(recipient_id=specialist.pk) is True
    (digest,) = mail.outbox
    assert routed.reference in digest.body and other.reference not in digest.body


def test_an_immediate_mail_asks_again_when_the_worker_sends_it(
    routed, municipal_user, other_municipality, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        services.consultation_reply(consultation=routed, author=routed.specialist.user, body="回答です")
    row = Notification.objects.filter(recipient=municipal_user, digest=False).latest("pk")
    municipal_user.organisation = other_municipality
    municipal_user.save()
    mail.outbox.clear()
    assert notification_send(notification_id=row.pk) is False
    assert mail.outbox == []
    row.refresh_from_db()
    assert row.failed_at is not None and row.sent_at is None


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_status_mail_says_what_the_recipients_page_says(
    routed, municipal_user, language, django_capture_on_commit_callbacks
):
    municipal_user.language = language
    municipal_user.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_change_status(consultation=routed, to_status=Status.ANSWERED, by=routed.specialist.user)
    (message,) = [m for m in mail.outbox if municipal_user.email in m.to]
    client = client_for(municipal_user)
    client.cookies["django_language"] = language
    with translation.override(language):
        shown = str(client.get(routed.get_absolute_url()).context["state"].label)
    assert shown in message.body
    assert shown != str(Status.ANSWERED.label)  # the page's own words ("please check"), not the bare status
