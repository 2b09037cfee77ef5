from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from notifications import selectors, services
from notifications.forms import PreferencesForm


@login_required
def preferences(request):
    """The signed-in person's e-mail preference and their latest notifications."""
    # The form only validates (it never touches request.user); the service saves.
    form = PreferencesForm(request.POST or None, initial={"email_delivery": request.user.email_delivery})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.notification_preference_set(user=request.user, delivery=form.cleaned_data["email_delivery"])
            except ValidationError as error:
                form.add_error("email_delivery", error.messages)
            else:
                messages.success(request, _("Your e-mail preference has been saved."))
                return redirect("notifications:preferences")
        messages.error(request, _("Your e-mail preference was not changed."))
    notifications = selectors.notifications_recent_for(user=request.user)
    context = {"form": form, "notifications": notifications, "digest_hour": settings.NOTIFICATION_DIGEST_HOUR}
    return render(request, "notifications/preferences.html", context)
