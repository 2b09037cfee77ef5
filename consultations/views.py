from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scope
from accounts.enums import Role
from consultations import permissions, selectors, services
from consultations.enums import Party, Status
from consultations.filters import ConsultationFilter
from consultations.forms import AcceptForm, ConsultationForm, ReplyForm, RouteForm, StatusForm
from consultations.models import Attachment, Consultation
from dxshare.fiscal import current_fiscal_year
from dxshare.forms import add_validation_errors
from specialists.enums import Domain
from specialists.models import Specialist

PAGE_SIZE = 25


def _visible_or_404(user, pk) -> Consultation:
    try:
        return selectors.consultations_visible_to(user).select_related("specialist__user").get(pk=pk)
    except Consultation.DoesNotExist as missing:
        raise Http404 from missing


def _detail_with_errors(request, pk, **forms):
    """The detail page again, with the form that failed and its messages (400: nothing was changed)."""
    detail = selectors.consultation_for_detail(request.user, pk)
    return render(request, "consultations/detail.html", _detail_context(request.user, detail, **forms), status=400)


@login_required
def consultation_list(request):
    """The requesting side sees its organisation's requests; specialists and the centre get the filtered queue."""
    user = request.user
    if user.role == Role.MUNICIPAL:
        page = Paginator(selectors.organisation_requests_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "consultations/own_list.html", {"page": page, "can_file": permissions.can_file(user)})
    years = range(current_fiscal_year(), current_fiscal_year() - 5, -1)
    programme = user.programme if user.programme_id else None
    filterset = ConsultationFilter(
        request.GET or None,
        queryset=selectors.queue_for(user).order_by("-submitted_at", "-id"),
        programme=programme,
        fiscal_years=years,
        request=request,
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "consultations/queue.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_file": permissions.can_file(user),
        },
    )


@login_required
def inbox(request):
    if not (scope.is_centre(request.user) or scope.is_site_admin(request.user)):
        raise PermissionDenied
    page = Paginator(selectors.inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consultations/inbox.html", {"page": page, "today": timezone.localdate()})


@login_required
def consultation_create(request):
    if not permissions.can_file(request.user):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        submit = "save_draft" not in request.POST
        try:
            consultation = services.consultation_file(
                author=request.user, fields=fields, files=form.cleaned_data["attachments"], submit=submit
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if submit:
                return redirect("consultations:submitted", pk=consultation.pk)
            messages.success(request, _("Your draft is saved. Submit it when it is ready."))
            return redirect(consultation)
    return render(request, "consultations/form.html", {"form": form, "consultation": None})


@login_required
def consultation_edit(request, pk):
    consultation = _visible_or_404(request.user, pk)
    if not permissions.can_edit(request.user, consultation):
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, request.FILES or None, instance=consultation)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        try:
            if consultation.status == Status.DRAFT:
                consultation = services.consultation_save_draft(
                    author=request.user,
                    fields=fields,
                    files=form.cleaned_data["attachments"],
                    consultation=consultation,
                )
                if "save_draft" not in request.POST:
                    services.consultation_submit(consultation=consultation, by=request.user)
                    return redirect("consultations:submitted", pk=consultation.pk)
            else:
                services.consultation_edit(consultation=consultation, by=request.user, fields=fields)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(consultation)
    return render(request, "consultations/form.html", {"form": form, "consultation": consultation})


@login_required
def consultation_submitted(request, pk):
    consultation = _visible_or_404(request.user, pk)
    if consultation.status == Status.DRAFT or consultation.requester_id != request.user.pk:
        return redirect(consultation)
    return render(request, "consultations/submitted.html", {"consultation": consultation})


@login_required
def consultation_detail(request, pk):
    try:
        consultation = selectors.consultation_for_detail(request.user, pk)
    except Consultation.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "consultations/detail.html", _detail_context(request.user, consultation))


def _detail_context(user, consultation, **forms) -> dict:
    sides = permissions.parties(user, consultation)
    can_reply = permissions.can_reply(user, consultation)
    allow_then = bool(sides & {Party.ASSIGNEE, Party.CENTRE})
    transitions = [
        (to, label)
        for to, label in (
            (Status.IN_PROGRESS, _("Start working on it") if consultation.status == Status.ROUTED else _("Reopen")),
            (Status.WAITING, _("Ask the municipality for information")),
            (Status.ANSWERED, _("Mark as answered")),
            (Status.CLOSED, _("Withdraw the request") if Party.REQUESTER in sides else _("Close without answer")),
        )
        if consultation.status != Status.DRAFT
        and permissions.can_transition(user, consultation, to)
        and not (to == Status.CLOSED and consultation.status == Status.ANSWERED)  # accepting has its own form
    ]
    return {
        "consultation": consultation,
        "sides": sides,
        "sees_internal": permissions.sees_internal(user),
        "can_edit": permissions.can_edit(user, consultation),
        "can_route": permissions.can_route(user, consultation),
        "can_rate": permissions.can_rate(user, consultation),
        "is_watching": consultation.watchers.filter(user=user).exists(),
        "reply_form": forms.get("reply_form")
        or (
            ReplyForm(allow_internal=permissions.can_add_note(user, consultation), allow_then=allow_then)
            if can_reply or permissions.can_add_note(user, consultation)
            else None
        ),
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "status_form": forms.get("status_form") or StatusForm(),
        "transitions": transitions,
        "domains": dict(Domain.choices),
    }


@login_required
@require_POST
def consultation_reply(request, pk):
    consultation = _visible_or_404(request.user, pk)
    allow_internal = permissions.can_add_note(request.user, consultation)
    allow_then = bool(permissions.parties(request.user, consultation) & {Party.ASSIGNEE, Party.CENTRE})
    if not (permissions.can_reply(request.user, consultation) or allow_internal):
        raise PermissionDenied
    form = ReplyForm(request.POST, request.FILES, allow_internal=allow_internal, allow_then=allow_then)
    if form.is_valid():
        try:
            services.consultation_reply(
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
            consultation.refresh_from_db(fields=["status"])
            if consultation.status == Status.CLOSED:
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
    return _detail_with_errors(request, pk, reply_form=form)


@login_required
@require_POST
def consultation_status(request, pk):
    consultation = _visible_or_404(request.user, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_change_status(
                consultation=consultation,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request, _("The status is now: %(status)s.") % {"status": Status(form.cleaned_data["to_status"]).label}
            )
            return redirect(consultation)
    return _detail_with_errors(request, pk, status_form=form)


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
    return _detail_with_errors(request, pk, accept_form=form)


@login_required
def consultation_route(request, pk):
    consultation = _visible_or_404(request.user, pk)
    if not permissions.can_route(request.user, consultation):
        raise PermissionDenied
    workloads = selectors.specialist_workloads(consultation.programme)
    specialists = Specialist.objects.filter(pk__in=[s.pk for s in workloads]).select_related("user")
    initial = {"expected_specialist": consultation.specialist_id}
    suggested = next((s for s in workloads if s.domain == consultation.suggested_domain), None)
    if suggested and not consultation.specialist_id:
        initial["specialist"] = suggested.pk
    form = RouteForm(request.POST or None, initial=initial, specialists=specialists)
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
            "workloads": workloads,
            "suggested": suggested,
            "suggestion": consultation.suggestion or {},
            "domains": dict(Domain.choices),
            "routings": consultation.routings.select_related("specialist__user", "routed_by"),
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
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
