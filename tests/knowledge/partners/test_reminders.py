"""The reminder that an agreement's term ends: two months before its last day, to the centre and the municipality's
staff; moved with the end date, cancelled when the agreement ends early, and checked again when it falls due."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.enums import Role
from knowledge.partners import reminders, services
from knowledge.partners.models import AgreementStatus
from notifications.models import Reminder, ReminderState
from notifications.services import outbox_sweep
from tests import factories
from tests.knowledge.partners.conftest import agreement_fields

pytestmark = pytest.mark.django_db(transaction=True)


def _pending():
    rows = Reminder.objects.filter(kind=reminders.AGREEMENT_ENDING, state=ReminderState.PENDING)
    return sorted((r.recipient_id, r.occasion, timezone.localtime(r.due_at).date()) for r in rows)


@pytest.fixture
def people(programme, municipality, other_municipality, coordinator, centre_head, municipal_user):
    return {
        "others": [
            factories.UserFactory(role=Role.MUNICIPAL, programme=programme, organisation=other_municipality),
            factories.SpecialistFactory(user__programme=programme).user,
            factories.PrefectureUserFactory(programme=programme),
        ],
        "told": sorted([coordinator.pk, centre_head.pk, municipal_user.pk]),
    }


def test_the_centre_and_the_municipality_are_told_two_months_before_the_end(
    people, coordinator, own_partner, municipality
):
    start = timezone.localdate() - dt.timedelta(days=30)
    ends = services.term_end(start, 12)
    agreement = services.agreement_create(
        by=coordinator,
        programme=coordinator.programme,
        partner=own_partner,
        municipality=municipality,
        fields=agreement_fields(starts_on=start, ends_on=ends),
    )
    reminded_on = ends - dt.timedelta(days=reminders.REMIND_DAYS)
    assert _pending() == [(pk, ends.isoformat(), reminded_on) for pk in people["told"]]

    # The end moves a month later: so does the reminder.
    later = services.term_end(start, 13)
    services.agreement_update(by=coordinator, agreement=agreement, municipality=municipality, fields={"ends_on": later})
    assert _pending() == [(pk, later.isoformat(), later - dt.timedelta(days=60)) for pk in people["told"]]

    # When it falls due, each is told once, with the link; nobody else.
    due = timezone.make_aware(dt.datetime.combine(later - dt.timedelta(days=60), dt.time(12)))
    outbox_sweep(now=due)
    outbox_sweep(now=due + dt.timedelta(minutes=5))
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        type(coordinator).objects.filter(pk__in=people["told"]).values_list("email", flat=True)
    )
    body = mail.outbox[0].body
    assert own_partner.name in mail.outbox[0].subject and f"/knowledge/partners/agreements/{agreement.pk}/" in body


def test_an_agreement_ended_early_reminds_nobody(people, coordinator, own_partner, municipality):
    agreement = services.agreement_create(
        by=coordinator,
        programme=coordinator.programme,
        partner=own_partner,
        municipality=municipality,
        fields=agreement_fields(),
    )
    assert _pending()
    services.agreement_update(
        by=coordinator, agreement=agreement, municipality=municipality, fields={"status": AgreementStatus.ENDED_EARLY}
    )
    assert _pending() == []
    outbox_sweep(now=timezone.now() + dt.timedelta(days=800))
    assert mail.outbox == []


def test_an_agreement_changed_behind_the_services_back_is_checked_when_due(
    people, coordinator, own_partner, municipality
):
    agreement = services.agreement_create(
        by=coordinator,
        programme=coordinator.programme,
        partner=own_partner,
        municipality=municipality,
        fields=agreement_fields(),
    )
    type(agreement).objects.filter(pk=agreement.pk).update(status=AgreementStatus.ENDED_EARLY)
    outbox_sweep(now=timezone.now() + dt.timedelta(days=800))
    assert mail.outbox == []
    assert not Reminder.objects.filter(kind=reminders.AGREEMENT_ENDING, state=ReminderState.PENDING).exists()
