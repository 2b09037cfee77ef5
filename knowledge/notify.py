"""The library's e-mail: a municipality is asked whether a case may name it (to the staff who made the request, or,
if they have left, the municipality's other staff)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import User
from notifications import registry
from notifications.services import notification_schedule

NAMING_ASKED = "knowledge.naming_asked"


def naming_asked(item) -> None:
    """Call inside the service's transaction; one mail per person and case (asking twice sends nothing more)."""
    requester = item.consultation.requester if item.consultation_id else None
    if requester is not None and requester.is_active and requester.organisation_id == item.municipality_id:
        people = [requester]
    else:
        people = list(
            User.objects.filter(
                is_active=True,
                role=Role.MUNICIPAL,
                programme_id=item.programme_id,
                organisation_id=item.municipality_id,
            )
        )
    url = settings.SITE_URL + item.get_absolute_url()
    for user in people:
        with translation.override(user.language):
            subject = gettext("[dxshare] May a case name your municipality? %(title)s") % {"title": item.title}
            body = "\n".join(
                [
                    gettext(
                        "A specialist wrote up your municipality's request as a case for the programme's knowledge "
                        "library, so that other municipalities can learn from it. It is anonymous: it names your "
                        "municipality only if you agree."
                    ),
                    "",
                    item.title,
                    "",
                    gettext("Read it and decide:") + " " + url,
                    "",
                ]
            )
        notification_schedule(
            recipient=user,
            kind=NAMING_ASKED,
            subject=subject,
            body=body,
            url=url,
            unique_key=f"{NAMING_ASKED}:{item.pk}:{user.pk}",
        )


def register() -> None:
    registry.register(
        registry.Kind(
            NAMING_ASKED,
            _("A case from your request: may it name your municipality?"),
            _("Knowledge library"),
            order=70,
            roles=frozenset({Role.MUNICIPAL}),
        )
    )
