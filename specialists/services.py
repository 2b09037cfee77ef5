import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.services import user_invite
from specialists.models import Specialist


@transaction.atomic
def specialist_create(
    *, user: User, domain: str, title: str = "", profile: str = "", active_from: dt.date | None = None
) -> Specialist:
    specialist = Specialist(
        user=user, domain=domain, title=title, profile=profile, active_from=active_from or timezone.localdate()
    )
    specialist.full_clean()
    specialist.save()
    return specialist


@transaction.atomic
def person_invite(*, invited_by: User, domain: str = "", **fields) -> User:
    """Invite anyone of the programme; a specialist gets their profile in the same transaction."""
    user = user_invite(invited_by=invited_by, **fields)
    if user.role == Role.SPECIALIST:
        specialist_create(user=user, domain=domain)
    return user


@transaction.atomic
def specialist_update_profile(*, specialist: Specialist, by: User, fields: dict) -> Specialist:
    """A specialist edits their own profile (title, profile text, what to ask them); nobody else does it here."""
    if specialist.user_id != by.pk:
        raise PermissionDenied
    for name in ("title", "profile", "ask_me_about"):
        if name in fields:
            setattr(specialist, name, fields[name].strip())
    specialist.full_clean()
    specialist.save(update_fields=["title", "profile", "ask_me_about"])
    return specialist
