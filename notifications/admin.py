from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dxshare.admin import ReadOnlyAdminMixin
from notifications.models import Notification, Preference, Reminder


class SentListFilter(admin.SimpleListFilter):
    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Sent")),
            ("no", _("Not sent yet")),
            ("failing", _("Not sent, with an error")),
            ("failed", _("Failed: every attempt")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "failing":
            return queryset.filter(sent_at__isnull=True).exclude(last_error="")
        if self.value() == "failed":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "digest", "created_at", "sent_at", "attempts"]
    list_filter = ["kind", "digest", SentListFilter]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "subject"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient"]
    readonly_fields = [
        "created_at",
        "sent_at",
        "claimed_at",
        "batch",
        "attempts",
        "last_error",
        "next_attempt_at",
        "failed_at",
    ]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reminders are planned by the features and sent by the sweep; the admin only shows them."""

    list_display = ["kind", "subject_type", "subject_id", "recipient", "occasion", "due_at", "state"]
    list_filter = ["kind", "state"]
    list_select_related = ["recipient", "subject_type"]
    search_fields = ["recipient__email"]
    date_hierarchy = "due_at"


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]
    raw_id_fields = ["user"]
