"""Real concurrency on PostgreSQL: two connections at once, row locks and constraints decide."""

import pytest
from django.db import connection

from consultations import services
from consultations.enums import Status
from consultations.models import Consultation, Message, Routing
from specialists.enums import Domain
from tests.concurrency import run_together
from tests.consultations.conftest import make_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); `make test` runs on it")


def test_two_coordinators_route_at_once_and_exactly_one_wins(submitted, coordinator, centre_head, five_specialists):
    for _ in range(5):
        consultation = make_request(submitted.requester)
        results = run_together(
            lambda c=consultation: services.consultation_route(
                consultation=c, specialist=five_specialists[Domain.DESIGN], by=coordinator
            ),
            lambda c=consultation: services.consultation_route(
                consultation=c, specialist=five_specialists[Domain.DATA], by=centre_head
            ),
        )
        wins = [r for r in results if isinstance(r, Routing)]
        losses = [r for r in results if isinstance(r, services.ConsultationConflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert "振り分けました" in str(losses[0])
        consultation.refresh_from_db()
        assert consultation.specialist == wins[0].specialist
        assert Routing.objects.filter(consultation=consultation).count() == 1


def test_a_reply_posted_while_closing_is_kept(routed, coordinator, municipal_user):
    for attempt in range(5):
        consultation = make_request(municipal_user, title=f"並行 {attempt}")
        services.consultation_route(consultation=consultation, specialist=routed.specialist, by=coordinator)
        results = run_together(
            lambda c=consultation: services.consultation_change_status(
                consultation=c, to_status=Status.CLOSED, by=coordinator, reason="重複"
            ),
            lambda c=consultation: services.consultation_reply(
                consultation=c, author=municipal_user, body="追加情報です"
            ),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Message.objects.filter(consultation=consultation, body="追加情報です").count() == 1
        consultation.refresh_from_db()
        assert consultation.status == Status.CLOSED


def test_simultaneous_submissions_get_distinct_consecutive_numbers(
    municipal_user, other_municipal_user, five_specialists
):
    drafts = [make_request(user, submit=False) for user in [municipal_user, other_municipal_user] * 4]
    results = run_together(
        *[(lambda d=draft: services.consultation_submit(consultation=d, by=d.requester)) for draft in drafts]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Consultation.objects.values_list("sequence", flat=True))
    assert numbers == list(range(1, 9))
