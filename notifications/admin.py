from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification


class SentListFilter(admin.SimpleListFilter):
    title = _("sent")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Sent")),
            ("no", _("Not sent yet")),
            ("failing", _("Not sent, with an error")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "failing":
            return queryset.filter(sent_at__isnull=True).exclude(last_error="")
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "digest", "created_at", "sent_at", "attempts"]
    list_filter = ["kind", "digest", SentListFilter]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "subject"]
    date_hierarchy = "created_at"
    raw_id_fields = ["recipient"]
    readonly_fields = ["created_at", "sent_at", "claimed_at", "batch", "attempts", "last_error"]
