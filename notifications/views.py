from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dxshare.forms import add_validation_errors
from dxshare.paging import paginate
from notifications import selectors, services
from notifications.forms import OutboxFilterForm, PreferencesForm

OUTBOX_PAGE_SIZE = 50


@login_required
def preferences(request):
    """The signed-in person's e-mail preferences (in general and per kind) and their latest notifications."""
    # The form only validates (it never touches request.user); the service saves.
    form = PreferencesForm(
        request.POST or None,
        initial={"email_delivery": request.user.email_delivery},
        user=request.user,
        current=services.preferences_of(request.user),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.notification_preference_set(
                    user=request.user, delivery=form.cleaned_data["email_delivery"], kinds=form.kind_choices()
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, _("Your e-mail preference has been saved."))
                return redirect("notifications:preferences")
        messages.error(request, _("Your e-mail preference was not changed."))
    notifications = selectors.notifications_recent_for(user=request.user)
    context = {"form": form, "notifications": notifications, "digest_hour": settings.NOTIFICATION_DIGEST_HOUR}
    return render(request, "notifications/preferences.html", context)


@login_required
def outbox(request):
    """What the portal sent to the programme's people, what waits and what failed (the support centre)."""
    if not selectors.can_read_outbox(request.user):
        raise PermissionDenied
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.outbox_filtered(
        request.user,
        state=filters.get("state", ""),
        kind=filters.get("kind", ""),
        recipient=(filters.get("recipient") or "").strip(),
    )
    page = paginate(rows, selectors.OUTBOX_ORDER, request.GET.get("cursor"), per_page=OUTBOX_PAGE_SIZE)
    if page.extra.get("invalid_cursor"):
        messages.info(request, _("That page link was out of date: the outbox starts again from the newest."))
    for row in page:
        row.kind_label = selectors.kind_label(row.kind)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "notifications/outbox.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
@require_POST
def outbox_retry(request, pk):
    """Send a failed e-mail again now, with a fresh set of attempts."""
    if not selectors.can_read_outbox(request.user):
        raise PermissionDenied
    notification = get_object_or_404(selectors.outbox_visible_to(request.user), pk=pk)
    try:
        services.notification_retry(notification=notification, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The e-mail to %(name)s is being sent again.") % {"name": notification.recipient.full_name}
        )
    return redirect(request.POST.get("next") if _safe_next(request) else "notifications:outbox")


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
