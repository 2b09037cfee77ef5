"""Charts drawn on the server as SVG (no script, so the CSP stays `default-src 'self'`); each sits beside a table with
the same figures, which is what screen readers and the print read."""

import datetime as dt

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.figures import MONTHS

register = template.Library()

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36


def month_labels() -> list[str]:
    """April … March, short, in the reader's language (4月 … 3月, Apr … Mar)."""
    return [date_format(dt.date(2001, month, 1), "M") for month in MONTHS]


@register.simple_tag
def months():
    return month_labels()


def _points(values: list[int], top: float) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / (len(MONTHS) - 1)
    return " ".join(
        f"{LEFT + i * step:.1f},{TOP + plot_h - plot_h * value / top:.1f}" for i, value in enumerate(values)
    )


def _summary(shown: list[int], previous: list[int], target: int | None) -> str:
    return _("This year so far: %(now)s; the year before at the same point: %(then)s; target: %(target)s.") % {
        "now": shown[-1],
        "then": previous[len(shown) - 1],
        "target": target if target is not None else "—",
    }


@register.simple_tag
def burnup_svg(current: list[int], previous: list[int], target: int | None, shown_months: int, chart_id: str):
    """Cumulative on-site visits month by month: this year (up to the month reached), the year before, the target."""
    shown = current[: max(shown_months, 1)]
    title = _("On-site visits, cumulative by month")
    top = max([target or 0, *shown, *previous, 1])
    top = top * 1.1
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title '
        f'{chart_id}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_summary(shown, previous, target))}</desc>',
        f'<line class="chart__axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>',
        f'<line class="chart__axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
    ]
    for fraction in (0.25, 0.5, 0.75, 1.0):
        value = round(top / 1.1 * fraction)
        y = TOP + plot_h - plot_h * value / top
        parts.append(f'<line class="chart__grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart__tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    step = (WIDTH - LEFT - RIGHT) / (len(MONTHS) - 1)
    for i, label in enumerate(month_labels()):
        parts.append(
            f'<text class="chart__tick" x="{LEFT + i * step:.1f}" y="{HEIGHT - 12}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    if target:
        target_label = _("Target %(n)s") % {"n": target}
        y = TOP + plot_h - plot_h * target / top
        parts.append(f'<line class="chart__target" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart__label" x="{WIDTH - RIGHT}" y="{y - 6:.1f}" text-anchor="end">'
            f"{escape(target_label)}</text>"
        )
    parts.append(f'<polyline class="chart__previous" points="{_points(previous, top)}"/>')
    parts.append(f'<polyline class="chart__current" points="{_points(shown, top)}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (numbers and escaped texts)


@register.filter
def index(values, position):
    try:
        return values[int(position)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.filter
def get(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def domain_label(value):
    from specialists.enums import Domain

    return Domain(value).label if value in Domain.values else value
