"""Thin views: read through a selector, act through one service call, render. Anything a person may not open is a
404 (permissions.visible_filter); what they may open but not do is a 403 or a message saying why."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts import scope
from consultations import panels, permissions, selectors, services, workflow
from consultations.enums import Status
from consultations.forms import AcceptForm, ConsultationForm, HandBackForm, ReplyForm, RouteForm, StatusForm
from consultations.models import Attachment, Consultation
from consultations.workflow import Party
from dxshare.files import stored_file_response
from dxshare.fiscal import current_fiscal_year
from dxshare.forms import add_validation_errors
from specialists.enums import Domain

FISCAL_YEARS_IN_FILTER = 5


def _visible_or_404(user, pk, **kwargs) -> Consultation:
    try:
        return selectors.consultation_visible_to(user, pk, **kwargs)
    except Consultation.DoesNotExist as missing:
        raise Http404 from missing


def _say_if_restarted(request, page) -> None:
    """A cursor that is garbage, tampered with or out of date gives the page a list opens at, and says so."""
    if page.extra.get("invalid_cursor") or page.extra.get("restarted"):
        messages.info(request, _("That page link is no longer valid, so the list starts from the top."))


def _cursor(request) -> str | None:
    return request.GET.get("cursor") or None


@login_required
def consultation_list(request):
    """Municipal staff see their municipality's requests; specialists, the centre and the prefecture the queue."""
    user = request.user
    if scope.is_municipal(user):
        status = request.GET.get("status", "")
        page = selectors.organisation_requests_page(user, cursor=_cursor(request), status=status)
        _say_if_restarted(request, page)
        return render(
            request,
            "consultations/own_list.html",
            {
                "page": page,
                "can_file": permissions.can_file(user),
                "status": Status(status) if status in Status.values else None,
                "query": f"status={status}" if status in Status.values else "",
            },
        )
    this_year = current_fiscal_year()
    queue = selectors.queue(
        user,
        data=request.GET,
        cursor=_cursor(request),
        programme=user.programme if user.programme_id else None,
        fiscal_years=range(this_year, this_year - FISCAL_YEARS_IN_FILTER, -1),
    )
    _say_if_restarted(request, queue.page)
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("page", None)
    return render(
        request,
        "consultations/queue.html",
        {
            "filter": queue.filter,
            "page": queue.page,
            "query": query.urlencode(),
            "can_file": permissions.can_file(user),
        },
    )


@login_required
def inbox(request):
    if not (scope.is_centre(request.user) or scope.is_site_admin(request.user)):
        raise PermissionDenied
    page = selectors.inbox_page(request.user, cursor=_cursor(request))
    _say_if_restarted(request, page)
    return render(request, "consultations/inbox.html", {"page": page, "today": timezone.localdate()})


def _fields(form) -> dict:
    return {key: value for key, value in form.cleaned_data.items() if key != "attachments"}


@login_required
def consultation_create(request):
    if not permissions.can_file(request.user):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        submit = "save_draft" not in request.POST
        try:
            consultation = services.consultation_file(
                author=request.user, fields=_fields(form), files=form.cleaned_data["attachments"], submit=submit
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if submit:
                return redirect("consultations:submitted", pk=consultation.pk)
            messages.success(request, _("Your draft is saved. Submit it when it is ready."))
            return redirect(consultation)
    return render(
        request,
        "consultations/form.html",
        {"form": form, "consultation": None, "panels": panels.render("form", request)},
    )


@login_required
def consultation_edit(request, pk):
    consultation = _visible_or_404(request.user, pk)
    if not permissions.can_edit(request.user, consultation):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, request.FILES or None, instance=consultation)
    if request.method == "POST" and form.is_valid():
        submit = consultation.is_draft and "save_draft" not in request.POST
        try:
            if consultation.is_draft:
                consultation = services.consultation_update_draft(
                    author=request.user,
                    consultation=consultation,
                    fields=_fields(form),
                    files=form.cleaned_data["attachments"],
                    submit=submit,
                )
            else:
                services.consultation_edit(consultation=consultation, by=request.user, fields=_fields(form))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if submit:
                return redirect("consultations:submitted", pk=consultation.pk)
            messages.success(request, _("Your changes are saved."))
            return redirect(consultation)
    return render(
        request,
        "consultations/form.html",
        {
            "form": form,
            "consultation": consultation,
            "panels": panels.render("form", request, consultation) if consultation.is_draft else [],
        },
    )


@login_required
def consultation_submitted(request, pk):
    consultation = _visible_or_404(request.user, pk, related=("programme",))
    if consultation.is_draft or consultation.requester_id != request.user.pk:
        return redirect(consultation)
    return render(
        request,
        "consultations/submitted.html",
        {"consultation": consultation, "panels": panels.render("filed", request, consultation)},
    )


def _reply_form(user, consultation, data=None, files=None) -> ReplyForm | None:
    allow_internal = permissions.can_add_note(user, consultation)
    if not (permissions.can_reply(user, consultation) or allow_internal):
        return None
    buttons = workflow.reply_buttons(consultation.status, permissions.parties(user, consultation))
    return ReplyForm(data, files, allow_internal=allow_internal, buttons=buttons)


def _detail(request, pk, *, status=200, **forms):
    """The request's page; after a refused action, again with the form that failed and its messages (400)."""
    try:
        detail = selectors.consultation_for_detail(request.user, pk, thread_cursor=request.GET.get("thread") or None)
    except Consultation.DoesNotExist as missing:
        raise Http404 from missing
    _say_if_restarted(request, detail.thread)
    consultation = detail.consultation
    user = request.user
    sides = permissions.parties(user, consultation)
    context = {
        "consultation": consultation,
        "state": workflow.viewer_state(consultation.status, sides, consultation.last_reply_by),
        "thread": detail.thread,
        "history": detail.history,
        "history_truncated": detail.history_truncated,
        "history_limit": selectors.HISTORY_LIMIT,
        "sides": sides,
        "is_requester": Party.REQUESTER in sides,
        "sees_internal": permissions.sees_internal(user),
        "can_edit": permissions.can_edit(user, consultation),
        "can_route": permissions.can_route(user, consultation),
        "can_rate": permissions.can_rate(user, consultation),
        "can_hand_back": permissions.can_hand_back(user, consultation),
        # A closed request takes no reply: it is reopened first (which says what that does).
        "reply_form": None if consultation.is_closed else forms.get("reply_form") or _reply_form(user, consultation),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "hand_back_form": forms.get("hand_back_form") or HandBackForm(),
        "actions": workflow.status_actions(consultation.status, sides),
        "domains": dict(Domain.choices),
        "panels": panels.render("detail", request, consultation),
    }
    context["banner_action"] = _banner_action(context)
    return render(request, "consultations/detail.html", context, status=status)


def _banner_action(context) -> tuple[str, str] | None:
    """Where the banner of a request that waits for the viewer leads: the one thing to do next."""
    consultation = context["consultation"]
    if context["state"].turn != workflow.Turn.YOURS:
        return None
    if context["can_route"] and consultation.status == workflow.INBOX_STATUS:
        return reverse("consultations:route", args=[consultation.pk]), _("Route the request")
    if context["can_rate"]:
        return "#accept", _("Check the answer")
    if context["can_edit"] and consultation.is_draft:
        return reverse("consultations:edit", args=[consultation.pk]), _("Edit and submit")
    if context["reply_form"] is not None:
        return "#reply", _("Write a reply")
    return None


@login_required
def consultation_detail(request, pk):
    return _detail(request, pk)


@login_required
@require_POST
def consultation_reply(request, pk):
    consultation = _visible_or_404(request.user, pk)
    form = _reply_form(request.user, consultation, request.POST, request.FILES)
    if form is None:
        raise PermissionDenied
    if consultation.is_closed:
        messages.error(request, _("This request is closed. Reopen it if it needs more work."))
        return redirect(consultation)
    if form.is_valid():
        try:
            message = services.consultation_reply(
                consultation=consultation,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data.get("internal", False),
                files=form.cleaned_data["attachments"],
                then=form.cleaned_data.get("then", ""),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if message.consultation.is_closed:
                messages.warning(
                    request,
                    _(
                        "The request was closed meanwhile. Your message was added; reopen the "
                        "request if it needs more work."
                    ),
                )
            else:
                messages.success(request, _("Your message is posted."))
            return redirect(consultation)
    return _detail(request, pk, status=400, reply_form=form)


@login_required
def consultation_change(request, pk, kind):
    """Withdraw, close without an answer or reopen: a page that says what the change does and asks for the reason,
    so that nothing irreversible happens in one click."""
    consultation = _visible_or_404(request.user, pk, related=("specialist__user", "organisation"))
    if kind not in workflow.ChangeKind.values:
        raise Http404
    action = workflow.action_for(consultation.status, kind, permissions.parties(request.user, consultation))
    if action is None:
        messages.error(
            request,
            _("This change is not possible now: the request is %(status)s.")
            % {
                "status": workflow.viewer_state(
                    consultation.status, permissions.parties(request.user, consultation)
                ).label
            },
        )
        return redirect(consultation)
    form = StatusForm(request.POST or None, kind=kind, required=action.needs_reason)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_change_status(
                consultation=consultation,
                to_status=action.to_status,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, CHANGE_DONE[kind])
            return redirect(consultation)
    return render(
        request,
        "consultations/change.html",
        {"consultation": consultation, "action": action, "kind": kind, "form": form},
        status=400 if form.errors else 200,
    )


CHANGE_DONE = {
    workflow.ChangeKind.WITHDRAW: _lazy("The request is withdrawn. The support centre and the specialist are told."),
    workflow.ChangeKind.CLOSE: _lazy("The request is closed without an answer. The municipality is told why."),
    workflow.ChangeKind.REOPEN: _lazy("The request is reopened and back with the specialist."),
}


@login_required
@require_POST
def consultation_hand_back(request, pk):
    consultation = _visible_or_404(request.user, pk)
    form = HandBackForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_hand_back(
                consultation=consultation, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("%(reference)s is back in the support centre's routing inbox.")
                % {"reference": consultation.reference},
            )
            return redirect("consultations:list")
    return _detail(request, pk, status=400, hand_back_form=form)


@login_required
@require_POST
def consultation_accept(request, pk):
    consultation = _visible_or_404(request.user, pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_accept(
                consultation=consultation,
                by=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Thank you. The request is closed."))
            return redirect(consultation)
    return _detail(request, pk, status=400, accept_form=form)


@login_required
def consultation_route(request, pk):
    try:
        page = selectors.route_page(request.user, pk)
    except Consultation.DoesNotExist as missing:
        raise Http404 from missing
    consultation = page.consultation
    if not permissions.can_route(request.user, consultation):
        raise PermissionDenied
    initial = {"expected_specialist": consultation.specialist_id}
    if page.suggested and not consultation.specialist_id:
        initial["specialist"] = page.suggested.pk
    form = RouteForm(
        request.POST or None,
        initial=initial,
        specialists=selectors.routable_specialists(consultation.programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            routing = services.consultation_route(
                consultation=consultation,
                specialist=form.cleaned_data["specialist"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_specialist_id=form.cleaned_data["expected_specialist"],
            )
        except services.ConsultationConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("consultations:route", pk=consultation.pk)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request,
                _("%(reference)s is routed to %(specialist)s.")
                % {"reference": consultation.reference, "specialist": routing.specialist.user.full_name},
            )
            return redirect("consultations:inbox" if scope.is_centre(request.user) else "consultations:list")
    return render(
        request,
        "consultations/route.html",
        {
            "consultation": consultation,
            "form": form,
            "workloads": page.workloads,
            "suggested": page.suggested,
            "routings": page.routings,
            "panels": panels.render("route", request, consultation),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def consultation_watch(request, pk):
    consultation = _visible_or_404(request.user, pk)
    watch = request.POST.get("watch") == "1"
    services.consultation_watch(consultation=consultation, user=request.user, watch=watch)
    messages.success(
        request,
        _("You will receive e-mails about this request.")
        if watch
        else _("You will no longer receive e-mails about this request."),
    )
    return redirect(consultation)


@login_required
def attachment_download(request, pk):
    try:
        attachment = selectors.attachment_visible_to(request.user, pk)
    except Attachment.DoesNotExist as missing:
        raise Http404 from missing
    return stored_file_response(attachment)
