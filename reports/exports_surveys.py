"""The survey answers of a programme's fiscal year, for its centre: one row per answer (streamed CSV or .xlsx)."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from reports.exports import Table, _file_name, _labels, local
from reports.models import SurveyAnswer, SurveyKind


def answers_for(programme, fiscal_year: int) -> QuerySet:
    return SurveyAnswer.objects.filter(survey__programme=programme, survey__fiscal_year=fiscal_year).order_by(
        "survey__opens_at", "survey_id", "id"
    )


def _rows(queryset: QuerySet) -> Iterator[tuple]:
    kinds = _labels(SurveyKind.choices)
    for kind, title, municipality, name, overall, usefulness, comment, answered in queryset.values_list(
        "survey__kind",
        "survey__title",
        "respondent__organisation__name",
        "respondent__full_name",
        "overall",
        "usefulness",
        "comment",
        "updated_at",
    ).iterator(chunk_size=2000):
        yield (kinds.get(kind, kind), title, municipality or "", name, overall, usefulness, comment, local(answered))


def answers_table(programme, fiscal_year: int) -> Table:
    queryset = answers_for(programme, fiscal_year)
    return Table(
        queryset=queryset,
        name=_file_name(_("survey_answers_%(date)s")),
        header=[
            _("Type"),
            _("Survey"),
            _("Municipality"),
            _("Respondent"),
            _("Overall satisfaction (1–5)"),
            _("Usefulness (1–5)"),
            _("Comment"),
            _("Answered at"),
        ],
        rows=_rows(queryset),
        widths=(14, 36, 16, 16, 12, 12, 50, 17),
    )
