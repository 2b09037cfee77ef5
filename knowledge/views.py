from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import scope
from consultations import permissions as consultation_permissions
from consultations import selectors as consultation_selectors
from consultations.models import Consultation
from dxshare.files import stored_file_response
from dxshare.forms import add_validation_errors
from dxshare.kept import address_key, kept_html
from knowledge import permissions, selectors, services, similar
from knowledge.enums import Kind
from knowledge.forms import CaseForm, DeliverableForm, SearchForm, ShareForm
from knowledge.models import Item, ItemFile
from municipalities.models import Programme


def _item_or_404(user, pk) -> Item:
    try:
        return selectors.item_for_page(user, pk)
    except Item.DoesNotExist as missing:
        raise Http404 from missing


RESULTS_SECONDS = 300


def _results(request, filters, query: str, *, cursor: str | None) -> str:
    """The list part of the library page, as HTML. What a programme's people read depends only on the programme, so
    the rendered list is kept per programme, library generation (every publication, withdrawal, share or naming
    changes it: knowledge.services), language and address, for RESULTS_SECONDS."""
    user = request.user
    key = (
        f"knowledge:results:{services.library_generation()}:{user.programme_id}:{get_language()}:{address_key(request)}"
    )

    def render():
        found = selectors.library(user, filters=filters, cursor=cursor)
        html = render_to_string("knowledge/includes/results.html", {"library": found, "query": query}, request=request)
        restarted = found.page.extra.get("restarted") or found.page.extra.get("invalid_cursor")
        if restarted:
            messages.info(request, _("The list changed since the last page: it starts again from the top."))
        return html, not restarted

    return kept_html(key, RESULTS_SECONDS, render)


@login_required
def library(request):
    user = request.user
    if not (scope.is_site_admin(user) or user.programme_id):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    filters = selectors.Filters()
    status = 200
    if form.is_bound:
        if form.is_valid():
            filters = selectors.Filters(**{name: form.cleaned_data[name] for name in ("kind", "domain", "tag")})
            filters.deliverable_type = form.cleaned_data["deliverable_type"]
            filters.query = form.cleaned_data["q"] if form.cleaned_data["q"] and not form.errors else ""
        else:
            status = 400
    query = request.GET.copy()
    query.pop("cursor", None)
    results = _results(request, filters, query.urlencode(), cursor=request.GET.get("cursor") if status == 200 else None)
    return render(
        request,
        "knowledge/library.html",
        {
            "form": form,
            "results": results,
            "query": query.urlencode(),
            "can_write": permissions.can_write(user),
            "drafts": selectors.drafts_for(user),
            "own_cases": selectors.cases_of_my_municipality(user),
            "tags": selectors.popular_tags(user),
        },
        status=status,
    )


@login_required
def item_detail(request, pk):
    item = _item_or_404(request.user, pk)
    user = request.user
    source = None
    # The request behind a case: for those who work on requests, and for the municipality that made it (prefecture
    # staff may read the programme's requests, but an anonymous case must not point them to its municipality).
    knows_source = permissions.can_write(user) or scope.is_site_admin(user) or permissions.decides_naming(user, item)
    if item.consultation_id and knows_source and consultation_permissions.can_view(user, item.consultation):
        source = item.consultation
    programmes = Programme.objects.exclude(pk=item.programme_id).order_by("slug")
    share_form = ShareForm(
        initial={"with_all": item.shared_with_all, "programmes": list(item.shared_with.all())}, programmes=programmes
    )
    return render(
        request,
        "knowledge/item.html",
        {
            "item": item,
            "source": source,
            "can_edit": permissions.can_edit(user, item),
            "can_share": permissions.can_share(user, item),
            "decides_naming": permissions.decides_naming(user, item),
            "share_form": share_form,
        },
    )


def _save_files_and_fields(form) -> dict:
    return {key: value for key, value in form.cleaned_data.items() if key not in ("tags", "files", "remove_files")}


@login_required
def case_create(request, consultation_pk):
    try:
        consultation = consultation_selectors.consultation_visible_to(request.user, consultation_pk)
    except Consultation.DoesNotExist as missing:
        raise Http404 from missing
    if not permissions.can_write(request.user, consultation.programme):
        raise PermissionDenied
    try:
        services.check_case_source(consultation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(consultation)
    existing = Item.objects.filter(consultation=consultation).first()
    if existing is not None:
        return redirect(existing)
    initial = {"title": consultation.title, "domain": consultation.specialist.domain if consultation.specialist else ""}
    form = CaseForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.case_create(
                by=request.user,
                consultation=consultation,
                fields=_save_files_and_fields(form),
                tag_names=form.cleaned_data["tags"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The case is saved as a draft. Publish it when it reads well."))
            return redirect(item)
    return render(
        request,
        "knowledge/item_form.html",
        {"form": form, "consultation": consultation, "kind": Kind.CASE},
        status=400 if form.errors else 200,
    )


@login_required
def deliverable_create(request):
    if not permissions.can_write(request.user):
        raise PermissionDenied
    form = DeliverableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.deliverable_create(
                by=request.user,
                programme=request.user.programme,
                fields=_save_files_and_fields(form),
                tag_names=form.cleaned_data["tags"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("The deliverable is saved as a draft. Publish it when it is ready."))
            return redirect(item)
    return render(
        request,
        "knowledge/item_form.html",
        {"form": form, "kind": Kind.DELIVERABLE},
        status=400 if form.errors else 200,
    )


@login_required
def item_edit(request, pk):
    item = _item_or_404(request.user, pk)
    if not permissions.can_edit(request.user, item):
        raise PermissionDenied
    form_class = CaseForm if item.is_case else DeliverableForm
    form = form_class(request.POST or None, request.FILES or None, instance=item, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                by=request.user,
                item=item,
                fields=_save_files_and_fields(form),
                tag_names=form.cleaned_data["tags"],
                files=form.cleaned_data["files"],
                remove_files=form.cleaned_data.get("remove_files", []),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(item)
    if request.method == "POST":
        item.refresh_from_db()  # the page's heading shows what is stored, not what was refused
    return render(
        request,
        "knowledge/item_form.html",
        {"form": form, "item": item, "consultation": item.consultation, "kind": item.kind},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def item_publish(request, pk):
    item = _item_or_404(request.user, pk)
    if not permissions.can_edit(request.user, item):
        raise PermissionDenied
    try:
        services.item_publish(by=request.user, item=item)
    except ValidationError as error:
        problems = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
        for messages_of_field in problems:
            for message in messages_of_field:
                messages.error(request, message)
    else:
        messages.success(request, _("Published: everybody in the programme can read it now."))
    return redirect(item)


@login_required
@require_POST
def item_withdraw(request, pk):
    item = _item_or_404(request.user, pk)
    if not permissions.can_edit(request.user, item):
        raise PermissionDenied
    services.item_withdraw(by=request.user, item=item)
    messages.success(request, _("Withdrawn: only its authors and the support centre see it now."))
    return redirect(item)


@login_required
@require_POST
def item_share(request, pk):
    item = _item_or_404(request.user, pk)
    if not permissions.can_share(request.user, item):
        raise PermissionDenied
    form = ShareForm(request.POST, programmes=Programme.objects.exclude(pk=item.programme_id))
    if form.is_valid():
        services.item_share(
            by=request.user,
            item=item,
            with_all=form.cleaned_data["with_all"],
            programmes=form.cleaned_data["programmes"],
        )
        messages.success(request, _("Sharing is saved."))
    else:
        messages.error(request, _("Choose programmes from the list."))
    return redirect(item)


@login_required
@require_POST
def naming_ask(request, pk):
    item = _item_or_404(request.user, pk)
    if not (item.is_case and permissions.can_edit(request.user, item)):
        raise PermissionDenied
    services.naming_ask(by=request.user, item=item)
    messages.success(request, _("The municipality is asked whether the case may name it."))
    return redirect(item)


@login_required
@require_POST
def naming_decide(request, pk):
    item = _item_or_404(request.user, pk)
    if not permissions.decides_naming(request.user, item):
        raise PermissionDenied
    agree = request.POST.get("decision") == "agree"
    services.naming_decide(by=request.user, item=item, agree=agree)
    if agree:
        messages.success(request, _("Thank you: the case names your municipality."))
    else:
        messages.success(request, _("The case stays anonymous: it does not name your municipality."))
    return redirect(item)


@login_required
def file_download(request, pk):
    try:
        stored = selectors.file_visible_to(request.user, pk)
    except ItemFile.DoesNotExist as missing:
        raise Http404 from missing
    return stored_file_response(stored)


@login_required
def similar_fragment(request):
    """The similar cases for a request being written (the filing form asks as the person types)."""
    user = request.user
    if not (scope.is_signed_in(user) and user.programme_id):
        raise PermissionDenied
    subject = request.GET.get("subject", "")[:200]
    body = request.GET.get("description", "")[:4000]
    cases = similar.similar_cases(user, subject=subject, body=body) if len(subject + body) >= 4 else []
    html = render_to_string("knowledge/includes/similar_list.html", {"cases": cases, "asked": True}, request=request)
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    return response
