"""Cells that every consultation list repeats on each of its rows. They are written once here, as Python, because a
template include per cell per row made the rows the dearest part of a list page."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts import scope
from consultations import permissions, workflow
from dxshare.business_days import business_days_between
from dxshare.fiscal import local_date
from specialists.enums import Domain

register = template.Library()


@register.filter
def business_days_waited(value) -> int:
    """Business days (Japanese holidays and the year-end closure excluded) since a timestamp, in Asia/Tokyo."""
    if value is None:
        return 0
    return business_days_between(local_date(value), timezone.localdate())


def viewer_state(consultation, user) -> workflow.ViewerState:
    """The status as this user reads it (consultations.workflow.viewer_state), remembered on the row."""
    cache = consultation.__dict__.setdefault("_viewer_state", {})
    if user.pk not in cache:
        cache[user.pk] = workflow.viewer_state(
            consultation.status, permissions.parties(user, consultation), consultation.last_reply_by
        )
    return cache[user.pk]


@dataclass(frozen=True)
class Role:
    side: str  # mine, requester, adviser: the message's colour
    label: str


@register.simple_tag(takes_context=True)
def author_role(context, message, consultation) -> Role:
    """Who wrote a message, in what role, from the reader's side: あなた, the municipality's name, 専門官 or
    支援センター."""
    author = message.author
    if author.pk == context["request"].user.pk:
        return Role("mine", _("You"))
    if author.organisation_id and author.organisation_id == consultation.organisation_id:
        return Role("requester", consultation.organisation.display_name)
    if scope.is_specialist(author):
        return Role("adviser", _("Specialist"))
    if scope.is_centre(author) or scope.is_site_admin(author):
        return Role("adviser", _("Support centre"))
    return Role("requester", author.organisation.display_name if author.organisation_id else "")


def reasons_in_words(suggestion: dict, domain: str) -> list[str]:
    """The evidence for one domain as a person would give it: 「キーワード『SNS』『広報』が一致」,
    「この分野の過去の相談8件と類似」; never the raw scores."""
    reasons = ((suggestion or {}).get("reasons") or {}).get(domain, [])
    keywords = [reason["label"] for reason in reasons if reason.get("kind") == "keyword"]
    history = next((reason["label"] for reason in reasons if reason.get("kind") == "history"), None)
    words = []
    if keywords:
        quoted = pgettext("list separator", ", ").join(_("“%(keyword)s”") % {"keyword": word} for word in keywords)
        words.append(_("Keywords %(keywords)s match") % {"keywords": quoted})
    if history:
        words.append(_("Similar to past requests routed to this domain (%(count)s)") % {"count": history})
    if any(reason.get("kind") == "requester" for reason in reasons):
        words.append(_("The municipality chose this domain"))
    return words


@register.inclusion_tag("consultations/includes/suggestion.html")
def suggestion_in_words(consultation, *, others=False):
    """The routing suggestion in words; with `others`, also the other domains the text gives signs of."""
    suggestion = consultation.suggestion or {}
    domain = consultation.suggested_domain
    other_domains = []
    if others:
        for code, label in Domain.choices:
            if code != domain and (words := reasons_in_words(suggestion, code)):
                other_domains.append((label, words))
    return {
        "domain_label": consultation.get_suggested_domain_display() if domain else "",
        "words": reasons_in_words(suggestion, domain) if domain else [],
        "source": suggestion.get("source", ""),
        "confident": suggestion.get("confident", False),
        "other_domains": other_domains,
    }


@register.simple_tag
def title_link(consultation):
    """The subject, linked to the request, with a badge when it is confidential."""
    confidential = (
        format_html(' <span class="badge badge--warning">{}</span>', _("Confidential"))
        if consultation.confidential
        else ""
    )
    url = reverse("consultations:detail", args=[consultation.pk])
    return format_html('<a href="{}">{}</a>{}', url, consultation.title, confidential)


@register.simple_tag
def specialist_name(consultation):
    return consultation.specialist.user.full_name if consultation.specialist_id else mark_safe("—")


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.simple_tag(takes_context=True)
def status_badge(context, consultation):
    """The status written from the viewer's side: a filled badge when it is their turn, an outlined one when it
    waits for somebody else (the words say which, so colour is never the only sign)."""
    state = viewer_state(consultation, context["request"].user)
    return format_html('<span class="badge badge--{}">{}</span>', state.badge, state.label)


@register.filter
def edit_changes(event) -> list[tuple[str, str, str]]:
    """An "edited" history entry as (field label, old, new), in the reader's words: choices by their labels, yes/no
    for the confidential flag. Older entries, which kept only the field names, give the names with no values."""
    from consultations.models import Consultation

    changes = (event.data or {}).get("changes") or dict.fromkeys((event.data or {}).get("fields", []))
    rows = []
    for name, values in changes.items():
        try:
            model_field = Consultation._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a field that no longer exists keeps its name
            rows.append((name, "", ""))
            continue
        label = str(model_field.verbose_name)
        if values is None:
            rows.append((label, "", ""))
            continue
        choices = {str(key): str(text) for key, text in model_field.flatchoices} if model_field.choices else {}

        def shown(value, choices=choices):
            if value in ("True", "False"):
                return str(_("yes") if value == "True" else _("no"))
            if value in ("", "None"):
                return "—"
            return choices.get(value, value)

        rows.append((label, shown(values[0]), shown(values[1])))
    return rows
