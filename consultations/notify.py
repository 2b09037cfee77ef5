"""Who hears about what, in their own language. Rows go to the notifications outbox; only people who may see the
request are told, and internal notes only reach the centre and the specialists.

A confidential request's mails carry its reference and a link, never its title or text: mail leaves the portal's
protection (forwarded, kept in other systems). Each row names its request, and is sent only if the recipient may
still see it when it goes (`still_visible`, asked by the outbox, also for the digest)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations import permissions, workflow
from notifications.services import notification_schedule
from specialists.selectors import centre_staff


def _send(
    consultation,
    recipients,
    *,
    kind: str,
    headline,
    excerpt: str = "",
    actor=None,
    internal=False,
    key: str | None = None,
) -> None:
    """`headline(user)` is called inside the recipient's language: its gettext() calls translate for them."""
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        visible = permissions.can_see_internal if internal else permissions.can_view
        if not user.is_active or not visible(user, consultation):
            continue
        with translation.override(user.language):
            context = {
                "consultation": consultation,
                "confidential": consultation.confidential,
                "headline": headline(user),
                "excerpt": "" if consultation.confidential else excerpt,
                "url": settings.SITE_URL + consultation.get_absolute_url(),
            }
            subject = render_to_string("consultations/emails/notification_subject.txt", context).strip()
            body = render_to_string("consultations/emails/notification_body.txt", context)
        notification_schedule(
            recipient=user,
            kind=kind,
            subject=subject,
            body=body,
            url=context["url"],
            unique_key=f"{key}:{user.pk}" if key else None,
            about=consultation,
        )


INTERNAL_KINDS = frozenset({"consultation.note", "consultation.handed_back"})


def still_visible(user, rows) -> set[int]:
    """The outbox rows about requests that `user` may still see (internal ones: still see internally), in one query."""
    from consultations.models import Consultation

    visible = set(
        Consultation.objects.filter(
            permissions.visible_filter(user), pk__in={row.about_id for row in rows}
        ).values_list("pk", flat=True)
    )
    internal = permissions.sees_internal(user)
    return {row.pk for row in rows if row.about_id in visible and (internal or row.kind not in INTERNAL_KINDS)}


def _watchers(consultation) -> list:
    people = [watcher.user for watcher in consultation.watchers.select_related("user")]
    if consultation.specialist_id:
        people.append(consultation.specialist.user)
    return people


def submitted(consultation) -> None:
    _send(
        consultation,
        centre_staff(consultation.programme),
        kind="consultation.submitted",
        headline=lambda user: (
            _("New request %(reference)s from %(organisation)s is waiting to be routed.")
            % {"reference": consultation.reference, "organisation": consultation.organisation.display_name}
        ),
        excerpt=consultation.title,
        key=f"consultation:{consultation.pk}:submitted",
    )


def routed(consultation, routing, *, previous_specialist, by) -> None:
    specialist = routing.specialist
    _send(
        consultation,
        [specialist.user],
        kind="consultation.routed",
        actor=by,
        headline=lambda user: (
            _("%(reference)s has been routed to you by %(who)s.")
            % {"reference": consultation.reference, "who": by.full_name}
        ),
        excerpt=consultation.title,
        key=f"consultation:{consultation.pk}:routing:{routing.pk}",
    )
    if previous_specialist is not None:
        _send(
            consultation,
            [previous_specialist.user],
            kind="consultation.rerouted",
            actor=by,
            headline=lambda user: (
                _("%(reference)s has been routed to %(specialist)s instead of you.")
                % {"reference": consultation.reference, "specialist": specialist.user.full_name}
            ),
            excerpt=routing.reason,
            key=f"consultation:{consultation.pk}:routing:{routing.pk}:previous",
        )
    requester_side = [w.user for w in consultation.watchers.select_related("user") if w.user_id != specialist.user_id]
    _send(
        consultation,
        requester_side,
        kind="consultation.assigned",
        actor=by,
        headline=lambda user: (
            _("%(reference)s has been assigned to %(specialist)s (%(domain)s).")
            % {
                "reference": consultation.reference,
                "specialist": specialist.user.full_name,
                "domain": specialist.get_domain_display(),
            }
        ),
        excerpt=consultation.title,
        key=f"consultation:{consultation.pk}:routing:{routing.pk}:watchers",
    )


def message_posted(consultation, message) -> None:
    if message.is_internal:
        recipients = [*_watchers(consultation), *centre_staff(consultation.programme)]
        headline = gettext_lazy("%(who)s added an internal note to %(reference)s.")
    else:
        recipients = _watchers(consultation)
        headline = gettext_lazy("%(who)s replied to %(reference)s.")
    _send(
        consultation,
        recipients,
        kind="consultation.note" if message.is_internal else "consultation.reply",
        actor=message.author,
        internal=message.is_internal,
        headline=lambda user: headline % {"who": message.author.full_name, "reference": consultation.reference},
        excerpt=message.body,
        key=f"consultation:{consultation.pk}:message:{message.pk}",
    )


def handed_back(consultation, routing, *, by) -> None:
    """The centre hears at once that a request is back in its inbox, and why (internal: the reason is for them)."""
    _send(
        consultation,
        centre_staff(consultation.programme),
        kind="consultation.handed_back",
        actor=by,
        internal=True,
        headline=lambda user: (
            _("%(who)s handed %(reference)s back to the support centre: it waits to be routed again.")
            % {"who": by.full_name, "reference": consultation.reference}
        ),
        excerpt=routing.hand_back_reason,
        key=f"consultation:{consultation.pk}:routing:{routing.pk}:handed_back",
    )


def status_changed(consultation, *, from_status: str, by, reason: str = "") -> None:
    if not workflow.notifies_watchers(from_status, consultation.status):
        return
    _send(
        consultation,
        _watchers(consultation),
        kind=f"consultation.{consultation.status}",
        actor=by,
        headline=lambda user: (
            # The status as the recipient's own page shows it ("Please reply", "Answered: please check", …).
            _("%(reference)s is now: %(status)s.")
            % {"reference": consultation.reference, "status": shown_status(user, consultation)}
        ),
        excerpt=reason,
    )


def shown_status(user, consultation) -> str:
    """The status label the request's page shows this person (consultations.workflow.viewer_state)."""
    state = workflow.viewer_state(
        consultation.status, permissions.parties(user, consultation), consultation.last_reply_by
    )
    return str(state.label)
