"""Writes on people: invitations and their acceptance."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scope
from accounts.models import Invitation, User, assignment_errors, new_nonce


@transaction.atomic
def user_invite(
    *, invited_by: User, email: str, full_name: str, role: str, programme, organisation=None, language: str = "ja"
) -> User:
    """Create an account without a password and e-mail its owner a link to choose one (after commit)."""
    from accounts.tasks import send_invitation  # tasks import services; keep the cycle out of module import

    email = User.objects.normalize_email(email).strip().lower()
    if not scope.can_invite(invited_by, programme) or role not in scope.invitable_roles(invited_by):
        raise ValidationError(_("You may not invite people to this role or programme."))
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A person with this e-mail address already has an account.")})
    errors = assignment_errors(role=role, programme=programme, organisation=organisation)
    if errors:
        raise ValidationError(errors)
    user = User(
        email=email, full_name=full_name, role=role, programme=programme, organisation=organisation, language=language
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    invitation = Invitation.objects.create(user=user, invited_by=invited_by)
    transaction.on_commit(lambda: send_invitation.delay(invitation.pk))
    return user


@transaction.atomic
def invitation_resend(*, invitation: Invitation, sent_by: User) -> None:
    from accounts.tasks import send_invitation

    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    if not scope.can_invite(sent_by, invitation.user.programme):
        raise ValidationError(_("You may not invite people to this role or programme."))
    # A new nonce: the links sent before stop working (accounts.invitations).
    Invitation.objects.filter(pk=invitation.pk).update(last_sent_at=timezone.now(), nonce=new_nonce())
    transaction.on_commit(lambda: send_invitation.delay(invitation.pk))


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Set the first password; the invitation is accepted, so its link no longer works. Refused if another tab
    accepted it first (the row is locked and read again)."""
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    role: str,
    programme=None,
    organisation=None,
    password: str | None = None,
    language: str = "ja",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a person directly (site administrators, demo data). Same validation as an invitation."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A person with this e-mail address already has an account.")})
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        programme=programme,
        organisation=organisation,
        language=language,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user
