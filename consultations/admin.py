from django.contrib import admin

from consultations.models import Attachment, Consultation, Event, Message, ReferenceCounter, Routing, Watcher


class RoutingInline(admin.TabularInline):
    model = Routing
    extra = 0
    raw_id_fields = ["specialist", "routed_by"]
    readonly_fields = ["routed_at"]


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    raw_id_fields = ["author"]


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    raw_id_fields = ["actor"]
    readonly_fields = ["created_at"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "organisation", "status", "urgency", "specialist", "submitted_at"]
    list_filter = ["status", "urgency", "help_format", "confidential", "programme", "specialist__domain"]
    search_fields = ["reference", "title", "description", "organisation__name"]
    raw_id_fields = ["requester", "specialist", "organisation"]
    list_select_related = ["organisation", "specialist__user"]
    date_hierarchy = "submitted_at"
    inlines = [RoutingInline, MessageInline, EventInline]


@admin.register(Routing)
class RoutingAdmin(admin.ModelAdmin):
    list_display = ["consultation", "specialist", "domain", "suggested_domain", "routed_by", "routed_at", "is_current"]
    list_filter = ["domain", "is_current"]
    search_fields = ["consultation__reference", "reason"]
    raw_id_fields = ["consultation", "specialist", "routed_by"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["consultation", "author", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["consultation__reference", "body"]
    raw_id_fields = ["consultation", "author"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "consultation", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "consultation__reference"]
    raw_id_fields = ["consultation", "message", "uploaded_by"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["consultation", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind", "internal"]
    search_fields = ["consultation__reference"]
    raw_id_fields = ["consultation", "actor"]


@admin.register(Watcher)
class WatcherAdmin(admin.ModelAdmin):
    list_display = ["consultation", "user"]
    raw_id_fields = ["consultation", "user"]


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    """Read-only: the numbers are taken under a row lock by the submit service, never by hand."""

    list_display = ["programme", "fiscal_year", "last"]
    list_filter = ["programme", "fiscal_year"]
    search_fields = ["programme__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
