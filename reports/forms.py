from django import forms
from django.utils.translation import gettext_lazy as _

from dxshare.forms import SpecificErrorsMixin
from reports.selectors import FIRST_YEAR, LAST_YEAR


class YearForm(SpecificErrorsMixin, forms.Form):
    show_required_marks = False
    year = forms.IntegerField(
        label=_("Fiscal year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        required=False,
        error_messages={"invalid": _("Enter the fiscal year as four digits, e.g. 2026.")},
    )
