from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.invitations import token_for
from accounts.models import Invitation


@shared_task(
    name="accounts.send_invitation", acks_late=True, autoretry_for=(OSError,), max_retries=5, retry_backoff=True
)
def send_invitation(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("user__programme", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    user = invitation.user
    with translation.override(user.language):
        link = settings.SITE_URL + reverse("accounts:invitation", kwargs={"token": token_for(invitation)})
        context = {
            "user": user,
            "invitation": invitation,
            "link": link,
            "programme": user.programme,
            "hours": settings.INVITATION_VALID_SECONDS // 3600,
        }
        subject = render_to_string("accounts/emails/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/emails/invitation_body.txt", context)
    send_mail(subject, body, None, [user.email])
