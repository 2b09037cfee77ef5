"""The reminder that a 地域活性化起業人 agreement's term is ending: REMIND_DAYS before its last day, at the reminder
hour, to the programme's support centre and the staff of the municipality concerned (who plan what follows: renew,
hand over, or end). Planned by the agreement's services in their transaction (notifications.reminders); moving the
end date moves it; ending the agreement early cancels it; compose checks again, when it falls due, that the
agreement still ends that day and that the recipient may still read it.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import CENTRE_ROLES, Role
from accounts.models import User
from knowledge.partners.models import Agreement, AgreementStatus
from notifications import registry
from notifications.reminders import Planned, reminders_plan

AGREEMENT_ENDING = "agreement.ending"
REMIND_DAYS = 60


def _recipients(agreement: Agreement) -> list[int]:
    people = User.objects.filter(is_active=True, programme_id=agreement.programme_id).filter(
        Q(role__in=list(CENTRE_ROLES)) | Q(role=Role.MUNICIPAL, organisation_id=agreement.municipality_id)
    )
    return sorted(people.values_list("pk", flat=True))


def plan_agreement(agreement: Agreement, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    wanted = []
    if agreement.status == AgreementStatus.AGREED and agreement.ends_on > timezone.localdate(now):
        due = timezone.make_aware(
            dt.datetime.combine(agreement.ends_on - dt.timedelta(days=REMIND_DAYS), dt.time(settings.REMINDER_HOUR))
        )
        due = max(due, now)  # an agreement recorded with less than REMIND_DAYS left is reminded of at once
        occasion = agreement.ends_on.isoformat()
        wanted = [Planned(AGREEMENT_ENDING, pk, occasion, due) for pk in _recipients(agreement)]
    reminders_plan(agreement, wanted, kinds=[AGREEMENT_ENDING], now=now)


def _may_read(user, agreement: Agreement) -> bool:
    if not user.is_active or user.programme_id != agreement.programme_id:
        return False
    return user.role in CENTRE_ROLES or (
        user.role == Role.MUNICIPAL and user.organisation_id == agreement.municipality_id
    )


def _compose(reminders: list) -> dict:
    pattern = reverse("knowledge:agreement_detail", kwargs={"pk": 0})
    agreements = Agreement.objects.select_related("partner", "municipality").in_bulk({r.subject_id for r in reminders})
    messages = {}
    for reminder in reminders:
        agreement, user = agreements.get(reminder.subject_id), reminder.recipient
        if (
            agreement is None
            or agreement.status != AgreementStatus.AGREED
            or agreement.ends_on.isoformat() != reminder.occasion
            or not _may_read(user, agreement)
        ):
            messages[reminder.pk] = None
            continue
        with translation.override(user.language):
            ends = date_format(agreement.ends_on, "DATE_FORMAT")
            subject = gettext("[dxshare] Agreement ending on %(date)s: %(partner)s") % {
                "date": ends,
                "partner": agreement.partner.name,
            }
            url = settings.SITE_URL + pattern.replace("/0/", f"/{agreement.pk}/")
            lines = [
                gettext(
                    "The term of this 地域活性化起業人 agreement ends soon. "
                    "Decide whether to renew it or how to hand over."
                ),
                "",
                "{}: {}".format(gettext("Partner"), agreement.partner.name),
                "{}: {}".format(gettext("Municipality"), agreement.municipality.display_name),
                "{}: {}".format(gettext("Purpose"), agreement.purpose),
                "{}: {}".format(gettext("Term ends on"), ends),
                "",
                gettext("Open it:") + " " + url,
                "",
            ]
            messages[reminder.pk] = registry.Message(subject=subject, body="\n".join(lines), url=url)
    return messages


def plan_all() -> int:
    """Plan the reminders of every agreement in force (manage.py plan_reminders)."""
    from django.db import transaction

    count = 0
    today = timezone.localdate()
    for agreement in Agreement.objects.filter(status=AgreementStatus.AGREED, ends_on__gt=today).iterator():
        with transaction.atomic():
            plan_agreement(agreement)
        count += 1
    return count


def register() -> None:
    registry.register_planner(plan_all)
    registry.register(
        registry.Kind(
            AGREEMENT_ENDING,
            _("Reminder: a 地域活性化起業人 agreement ends in two months"),
            _("Partners"),
            compose=_compose,
            order=60,
            roles=frozenset({*CENTRE_ROLES, Role.MUNICIPAL}),
        )
    )
