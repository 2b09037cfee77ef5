"""The events opened to a community, on the community's page (registered with municipalities.panels)."""

from django.template.loader import render_to_string
from django.utils import timezone

from visits.enums import Audience, EventStatus
from visits.selectors import events_visible_to

SHOWN = 10


def upcoming_events(request, community) -> str:
    events = list(
        events_visible_to(request.user)
        .filter(audience=Audience.COMMUNITY, community=community, ends_at__gte=timezone.now())
        .exclude(status=EventStatus.CANCELLED)
        .order_by("starts_at", "id")[:SHOWN]
    )
    return render_to_string(
        "visits/includes/community_events.html", {"events": events, "community": community}, request=request
    )
