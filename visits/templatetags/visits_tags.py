"""A calendar's line, written once here in Python: a template include per item made the month of a busy programme
(a hundred items) the dearest part of the page."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from visits.enums import Mode

register = template.Library()


@register.simple_tag
def calendar_item(item):
    obj = item.obj
    if item.kind == "visit":
        css = ["cal-item", f"cal-item--{obj.mode}"]
        state = ""
        if obj.is_cancelled:
            css.append("cal-item--cancelled")
            state = format_html(' <span class="cal-item__cancelled">{}</span>', _("Cancelled"))
        elif obj.is_done:
            state = format_html(' <span class="cal-item__done">{}</span>', pgettext("visit", "Done"))
        names = ", ".join(visit.specialist.user.full_name for visit in obj.visits.all())
        return format_html(
            '<a class="{}" href="{}"><span class="cal-item__time">{}</span> <span class="cal-item__kind">{}</span> '
            "{}{}{}</a>",
            " ".join(css),
            obj.get_absolute_url(),
            timezone.localtime(obj.starts_at).strftime("%H:%M"),
            _("Online") if obj.mode == Mode.ONLINE else _("Visit"),
            obj.municipality.display_name,
            format_html(" · {}", names) if names else "",
            state,
        )
    css = "cal-item cal-item--event" + (" cal-item--cancelled" if obj.is_cancelled else "")
    state = format_html(' <span class="cal-item__cancelled">{}</span>', _("Cancelled")) if obj.is_cancelled else ""
    return format_html(
        '<a class="{}" href="{}"><span class="cal-item__kind">{}</span> {}{}</a>',
        css,
        obj.get_absolute_url(),
        obj.get_kind_display(),
        obj.title,
        state,
    )
