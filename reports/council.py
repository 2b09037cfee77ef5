"""The council's fiscal-year report: one workbook for a programme and year, a sheet per section (summary, visits,
requests, events, satisfaction), each figure beside the year before's and the target. It is read from the kept
figures (reports.models.Snapshot: one row whatever the programme holds), so its cost does not grow with the
programme's visits and requests; reports.exports writes it."""

from django.utils.translation import gettext as _

from consultations.enums import Status
from municipalities.models import localised
from reports.exports import Heading, Sheet
from reports.templatetags.reports_tags import month_labels
from specialists.enums import Domain
from visits.enums import EventKind


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _value(figures: dict, *path):
    for key in path:
        if not isinstance(figures, dict):
            return None
        figures = figures.get(key)
    return figures


def _summary_sheet(programme, snapshot, current: dict, previous: dict) -> Sheet:
    targets = current.get("targets") or {}

    def line(label, path, target=None):
        return (label, _value(current, *path), _value(previous, *path), targets.get(target) if target else None)

    def workshops(figures):
        return (figures["events"].get("by_kind") or {}).get(EventKind.WORKSHOP, 0)

    def not_visited(figures):
        return len(figures["visits"].get("not_visited") or [])

    rows = [
        Heading((programme.display_name,)),
        (_("Fiscal year"), _("FY%(year)s") % {"year": snapshot.fiscal_year}),
        (_("Figures as of"), snapshot.computed_at),
        (),
        Heading((_("Figure"), _("This year"), _("Year before"), _("Target"))),
        line(_("On-site visits (one specialist × one municipality × one day)"), ("visits", "onsite"), "onsite_visits"),
        line(_("Online meetings"), ("visits", "online")),
        line(_("On-site visits planned"), ("visits", "planned_onsite")),
        (_("Municipalities not yet visited"), not_visited(current), not_visited(previous), None),
        line(_("Requests received"), ("requests", "received"), "consultations"),
        line(_("Requests answered"), ("requests", "answered")),
        line(_("Requests open"), ("requests", "open")),
        line(_("Events held"), ("events", "held")),
        (_("Workshops held"), workshops(current), workshops(previous), targets.get("workshops")),
        line(_("Registered participants"), ("events", "registered")),
        line(_("Attendances"), ("events", "attended")),
        line(_("Satisfied (%)"), ("satisfaction", "percent"), "satisfaction_percent"),
        line(_("Specialists"), ("specialists",)),
    ]
    return Sheet(_("Summary"), rows, widths=(52, 14, 14, 12))


def _visits_sheet(current: dict, previous: dict) -> Sheet:
    visits, before = current["visits"], previous["visits"]
    domains = _labels(Domain.choices)
    rows: list = [
        Heading((_("On-site visits by month (cumulative)"),)),
        Heading((_("Month"), _("This year"), _("Cumulative"), _("Year before"), _("Year before, cumulative"))),
    ]
    for i, month in enumerate(month_labels()):
        rows.append(
            (month, visits["per_month"][i], visits["cumulative"][i], before["per_month"][i], before["cumulative"][i])
        )
    rows += [(), Heading((_("On-site visits by municipality"),))]
    rows.append(Heading((_("Code"), _("Municipality"), _("This year"), _("Year before"))))
    before_by_id = {m["id"]: m["onsite"] for m in before.get("by_municipality") or []}
    for m in visits["by_municipality"]:
        rows.append((m["code"], localised(m["name"], m["name_en"]), m["onsite"], before_by_id.get(m["id"], 0)))
    rows += [(), Heading((_("On-site visits by domain"),))]
    rows.append(Heading((_("Domain"), _("This year"), _("Year before"))))
    before_by_domain = {row["domain"]: row["onsite"] for row in before.get("by_domain") or []}
    for row in visits["by_domain"]:
        rows.append((domains.get(row["domain"], row["domain"]), row["onsite"], before_by_domain.get(row["domain"], 0)))
    rows += [(), Heading((_("On-site visits by specialist"),))]
    rows.append(Heading((_("Specialist"), _("Domain"), _("This year"))))
    for row in visits["by_specialist"]:
        rows.append((row["name"], domains.get(row["domain"], row["domain"] or ""), row["onsite"]))
    return Sheet(_("Visits"), rows, widths=(24, 24, 12, 12, 16))


def _requests_sheet(current: dict, previous: dict) -> Sheet:
    requests, before = current["requests"], previous["requests"]
    domains = _labels(Domain.choices)
    statuses = [(s, label) for s, label in Status.choices if s != Status.DRAFT]
    rows: list = [
        Heading((_("Requests by domain and status"),)),
        Heading((_("Domain"), *[label for _s, label in statuses], _("Total"))),
    ]
    for row in requests["by_domain"]:
        label = domains.get(row["domain"], row["domain"]) if row["domain"] else _("Not routed yet")
        rows.append((label, *[row["statuses"].get(s, 0) for s, _label in statuses], row["total"]))
    rows.append(
        Heading((_("Total"), *[requests["by_status"].get(s, 0) for s, _label in statuses], requests["received"]))
    )
    rows += [
        (),
        Heading((_("Business days to routing and to the first answer"),)),
        Heading(
            (
                _("Figure"),
                _("Median"),
                _("90th percentile"),
                _("Median, year before"),
                _("90th percentile, year before"),
            )
        ),
    ]
    for label, key in ((_("To routing"), "to_routing"), (_("To the first answer"), "to_first_answer")):
        rows.append((label, requests[key]["median"], requests[key]["p90"], before[key]["median"], before[key]["p90"]))
    return Sheet(_("Requests"), rows, widths=(30, *[12] * len(statuses), 12))


def _events_sheet(current: dict, previous: dict) -> Sheet:
    events, before = current["events"], previous["events"]
    rows: list = [
        Heading((_("Figure"), _("This year"), _("Year before"))),
        (_("Events held"), events["held"], before["held"]),
        (_("Registered participants"), events["registered"], before["registered"]),
        (_("Attendances"), events["attended"], before["attended"]),
        (),
        Heading((_("Events held by type"),)),
        Heading((_("Type"), _("This year"), _("Year before"))),
    ]
    for kind, label in EventKind.choices:
        rows.append((str(label), events["by_kind"].get(kind, 0), before["by_kind"].get(kind, 0)))
    rows += [(), Heading((_("Attendances by municipality"),)), Heading((_("Code"), _("Municipality"), _("This year")))]
    attended = events.get("attended_by_municipality") or {}
    for m in current["visits"]["by_municipality"]:
        rows.append((m["code"], localised(m["name"], m["name_en"]), attended.get(str(m["id"]), 0)))
    return Sheet(_("Events"), rows, widths=(30, 24, 12))


def _satisfaction_sheet(current: dict, previous: dict) -> Sheet:
    now, before = current["satisfaction"], previous["satisfaction"]
    target = (current.get("targets") or {}).get("satisfaction_percent")
    rows = [
        Heading((_("Figure"), _("This year"), _("Year before"))),
        (_("Ratings"), now["rated"], before["rated"]),
        (_("Ratings of 4 or 5"), now["satisfied"], before["satisfied"]),
        (_("Satisfied (%)"), now["percent"], before["percent"]),
        (_("The bar (%)"), now["bar"], before["bar"]),
        (_("Target (%)"), target, None),
        (
            _("Response rate among answered requests that were closed (%)"),
            now["response_rate"],
            before["response_rate"],
        ),
    ]
    return Sheet(_("Satisfaction"), rows, widths=(52, 14, 14))


def council_report_name(programme, fiscal_year: int) -> str:
    name = "".join("_" if c in '/\\:*?"<>|' else c for c in programme.name)  # a file name on every system
    return _("council-report_%(programme)s_FY%(year)s") % {"programme": name, "year": fiscal_year}


def council_report_sheets(programme, snapshot) -> list[Sheet]:
    """The council's report of a programme's fiscal year from its kept figures (reports.models.Snapshot): a summary,
    then visits, requests, events and satisfaction, each beside the year before."""
    current, previous = snapshot.data["current"], snapshot.data["previous"]
    return [
        _summary_sheet(programme, snapshot, current, previous),
        _visits_sheet(current, previous),
        _requests_sheet(current, previous),
        _events_sheet(current, previous),
        _satisfaction_sheet(current, previous),
    ]
