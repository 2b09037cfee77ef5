"""Invitation links: their own signed token and lifetime, apart from password resets.

The token signs the invitation's id and its nonce with a timestamp (django.core.signing, salt of its own), so a
password-reset token is never an invitation and the other way round. Sending again draws a new nonce: only the
latest link works. A link works until the invitation is accepted, for INVITATION_VALID_SECONDS after it was sent.
The view puts the token into the session and redirects to an address without it (as Django's password reset does),
so it is not left in proxy logs, the browser's history or a Referer."""

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

from accounts.models import Invitation

SALT = "dxshare.accounts.invitation"
SESSION_KEY = "dxshare.invitation_token"

INVALID = "invalid"  # not one of ours, or its account is gone or disabled
EXPIRED = "expired"
REPLACED = "replaced"  # a newer link was sent
USED = "used"  # the password has been chosen already


def token_for(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"i": invitation.pk, "n": invitation.nonce})


def invitation_from(token: str) -> tuple[Invitation | None, str | None]:
    """The invitation the token opens, or None and why not (INVALID, USED, REPLACED, EXPIRED)."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token)
        pk, nonce = int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, INVALID
    invitation = Invitation.objects.select_related("user").filter(pk=pk).first()
    if invitation is None or not invitation.user.is_active:
        return None, INVALID
    if invitation.accepted_at is not None:
        return None, USED
    if not constant_time_compare(invitation.nonce, nonce):
        return None, REPLACED
    try:
        signer.unsign_object(token, max_age=settings.INVITATION_VALID_SECONDS)
    except signing.SignatureExpired:
        return None, EXPIRED
    return invitation, None
