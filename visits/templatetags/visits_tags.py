"""The calendar's lines and month grid, written here in Python: a template include per item, and then the 35 cells
of template tags and date filters, were most of the cost of a busy programme's month (a hundred items).

Every value from the database goes through escape(); the rest is fixed markup.
"""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from visits.enums import Mode

register = template.Library()


def _labels() -> dict[str, str]:
    """The words a calendar repeats, translated once per call of a tag (gettext per item added up)."""
    return {
        "cancelled": escape(_("Cancelled")),
        "done": escape(pgettext("visit", "Done")),
        "online": escape(_("Online")),
        "visit": escape(_("Visit")),
        "today": escape(_("(today)")),
    }


def _item_html(item, labels: dict[str, str]) -> str:
    obj = item.obj
    if item.kind == "visit":
        css = f"cal-item cal-item--{escape(obj.mode)}"
        state = ""
        if obj.is_cancelled:
            css += " cal-item--cancelled"
            state = f' <span class="cal-item__cancelled">{labels["cancelled"]}</span>'
        elif obj.is_done:
            state = f' <span class="cal-item__done">{labels["done"]}</span>'
        names = f" · {escape(', '.join(obj.names))}" if obj.names else ""
        kind = labels["online"] if obj.mode == Mode.ONLINE else labels["visit"]
        time = timezone.localtime(obj.starts_at).strftime("%H:%M")
        return (
            f'<a class="{css}" href="{escape(obj.get_absolute_url())}"><span class="cal-item__time">{time}</span> '
            f'<span class="cal-item__kind">{kind}</span> {escape(obj.municipality_display_name)}{names}{state}</a>'
        )
    css = "cal-item cal-item--event" + (" cal-item--cancelled" if obj.is_cancelled else "")
    state = f' <span class="cal-item__cancelled">{labels["cancelled"]}</span>' if obj.is_cancelled else ""
    return (
        f'<a class="{css}" href="{escape(obj.get_absolute_url())}"><span class="cal-item__kind">'
        f"{escape(obj.get_kind_display())}</span> {escape(obj.title)}{state}</a>"
    )


@register.simple_tag
def calendar_item(item):
    return mark_safe(_item_html(item, _labels()))  # noqa: S308 (built from escaped values)


def _day_html(day, today, more_query: str, labels: dict[str, str]) -> str:
    iso = day.date.isoformat()
    css = "calendar__day"
    if not day.in_month:
        css += " calendar__day--outside"
    if day.weekend or day.holiday:
        css += " calendar__day--off"
    if day.date == today:
        css += " calendar__day--today"
    if not day.items:
        css += " calendar__day--empty"
    today_note = f' <span class="visually-hidden">{labels["today"]}</span>' if day.date == today else ""
    holiday = f' <span class="calendar__holiday">{escape(day.holiday)}</span>' if day.holiday else ""
    parts = [
        f'<td class="{css}"><p class="calendar__date"><time datetime="{iso}"><span class="calendar__number">'
        f'{day.date.day}</span><span class="calendar__full">{escape(date_format(day.date, "DATE_FORMAT"))}</span>'
        f"</time>{today_note}{holiday}</p>"
    ]
    if day.items:
        parts.append('<ul class="calendar__items">')
        parts.extend(f"<li>{_item_html(item, labels)}</li>" for item in day.items)
        parts.append("</ul>")
    if day.more:
        more = ngettext("and %(counter)s more", "and %(counter)s more", day.more) % {"counter": day.more}
        parts.append(
            f'<p class="calendar__more"><a href="?view=week&amp;date={iso}{more_query}">{escape(more)}</a></p>'
        )
    parts.append("</td>")
    return "".join(parts)


@register.simple_tag
def calendar_weeks(weeks, today, filters_query=""):
    """The rows of a month grid: one `<tr>` per week, one `<td>` per day with its items and "and N more"."""
    labels = _labels()
    more_query = escape(f"&{filters_query}") if filters_query else ""
    rows = ["<tr>" + "".join(_day_html(day, today, more_query, labels) for day in week) + "</tr>" for week in weeks]
    return mark_safe("\n".join(rows))  # noqa: S308 (built from escaped values)
