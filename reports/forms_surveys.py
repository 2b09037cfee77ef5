"""The survey forms: one person's answer, and a coordinator's year-end survey."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dxshare.fiscal import current_fiscal_year, fiscal_year_label
from dxshare.forms import SpecificErrorsMixin

OVERALL = [
    (5, _("5: very satisfied")),
    (4, _("4: satisfied")),
    (3, _("3: neither")),
    (2, _("2: dissatisfied")),
    (1, _("1: very dissatisfied")),
]
USEFULNESS = [
    (5, _("5: very useful")),
    (4, _("4: useful")),
    (3, _("3: neither")),
    (2, _("2: not very useful")),
    (1, _("1: not useful at all")),
]


class SurveyAnswerForm(SpecificErrorsMixin, forms.Form):
    """Two 1–5 scales (radio buttons in a fieldset whose legend is the question) and a comment. `had_answer` tells
    the service whether the person saw their earlier answer: an empty form sent after an answer was given elsewhere
    (a second tab, a double submission) is refused rather than overwriting it."""

    overall = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you?"), coerce=int, widget=forms.RadioSelect, choices=OVERALL
    )
    usefulness = forms.TypedChoiceField(
        label=_("How useful was it for your work?"), coerce=int, widget=forms.RadioSelect, choices=USEFULNESS
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What helped, and what could be better."),
    )
    had_answer = forms.BooleanField(required=False, widget=forms.HiddenInput)

    field_messages = {  # as the service says it (reports.surveys.answer_save)
        "overall": {
            "required": _("Choose your overall satisfaction from 1 to 5."),
            "invalid_choice": _("Choose your overall satisfaction from 1 to 5."),
        },
        "usefulness": {
            "required": _("Choose how useful it was from 1 to 5."),
            "invalid_choice": _("Choose how useful it was from 1 to 5."),
        },
        "comment": {"max_length": _("Keep the comment to %(limit_value)d characters or fewer.")},
    }


def year_end_choices() -> list[tuple[int, str]]:
    """The fiscal year that is ending and the one just ended (a survey in April asks about the year before)."""
    year = current_fiscal_year()
    return [(year, fiscal_year_label(year)), (year - 1, fiscal_year_label(year - 1))]


class YearEndSurveyForm(SpecificErrorsMixin, forms.Form):
    field_messages = {
        "fiscal_year": {
            "required": _("Choose the fiscal year asked about."),
            "invalid_choice": _("Choose the fiscal year asked about."),
        },
        "title": {"max_length": _("Keep the title to 200 characters or fewer.")},
        "closes_on": {
            "required": _("Enter the last day of the survey."),
            "invalid": _("Enter the date as a date, e.g. 2027-03-31."),
        },
    }

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year asked about"), coerce=int, choices=())
    title = forms.CharField(
        label=pgettext_lazy("survey", "Title"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for “Year-end survey of FY…”."),
    )
    closes_on = forms.DateField(
        label=_("Open until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day answers are taken (until midnight). Within three months."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = year_end_choices()
