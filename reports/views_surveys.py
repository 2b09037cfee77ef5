"""Survey pages: a person's open surveys, the answer form, and the coordinators' list with the year-end survey."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dxshare.fiscal import current_fiscal_year, start_of_day
from dxshare.forms import add_validation_errors
from dxshare.paging import paginate
from reports import surveys
from reports.forms_surveys import SurveyAnswerForm, YearEndSurveyForm
from reports.views import manageable_programme, requested_year


@login_required
def survey_list(request):
    """The surveys the person was asked and may still answer (or change their answer to)."""
    return render(request, "reports/surveys/list.html", {"surveys": surveys.surveys_open_for(request.user)})


@login_required
def survey_answer(request, pk):
    """Answer a survey, or change one's answer while it is open; 404 for anyone who was not asked."""
    survey = surveys.survey_for_respondent_or_404(request.user, pk)
    answer = surveys.answer_of(survey, request.user)
    now = timezone.now()
    initial = {"had_answer": answer is not None}
    if answer is not None:
        initial.update(overall=answer.overall, usefulness=answer.usefulness, comment=answer.comment)
    form = SurveyAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                surveys.answer_save(
                    survey=survey,
                    user=request.user,
                    overall=data["overall"],
                    usefulness=data["usefulness"],
                    comment=data["comment"],
                    now=now,
                    new=not data["had_answer"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                if answer is None:
                    messages.success(request, _("Thank you: your answer is saved."))
                else:
                    messages.success(request, _("Your answer is changed."))
                return redirect("reports:surveys")
        messages.error(request, _("Your answer was not saved."))
        if form.has_error(None):  # refused as a whole (closed, answered meanwhile): show what is saved
            answer = surveys.answer_of(survey, request.user)
    context = {
        "survey": survey,
        "answer": answer,
        "form": form,
        "is_open": surveys.answerable(survey, now),
    }
    return render(request, "reports/surveys/answer.html", context)


@login_required
def programme_surveys(request, slug):
    """The programme's surveys of a year with their response rates, and the year-end survey form (the centre)."""
    programme = manageable_programme(request, slug)
    fiscal_year = requested_year(request)
    form = YearEndSurveyForm(
        request.POST or None,
        initial={"fiscal_year": current_fiscal_year(), "closes_on": timezone.localdate() + dt.timedelta(days=14)},
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                survey = surveys.year_end_survey_open(
                    programme=programme,
                    by=request.user,
                    fiscal_year=data["fiscal_year"],
                    closes_at=start_of_day(data["closes_on"] + dt.timedelta(days=1)),
                    title=data["title"],
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                count = survey.invitations.count()
                messages.success(
                    request,
                    ngettext(
                        "The year-end survey is open: %(count)s person is asked.",
                        "The year-end survey is open: %(count)s people are asked.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(f"{request.path}?year={survey.fiscal_year}")
        messages.error(request, _("The year-end survey was not opened."))
    page = paginate(surveys.surveys_with_rates(programme, fiscal_year), ("-opens_at", "-id"), request.GET.get("cursor"))
    context = {
        "programme": programme,
        "fiscal_year": fiscal_year,
        "years": list(range(current_fiscal_year(), current_fiscal_year() - 5, -1)),
        "page": page,
        "query": f"year={fiscal_year}",
        "rates": surveys.year_rates(programme, fiscal_year),
        "form": form,
        "now": timezone.now(),
    }
    return render(request, "reports/surveys/programme.html", context)
