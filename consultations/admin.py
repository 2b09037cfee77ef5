"""The admin shows consultations for support and audit, but is no second way to write: requests, routings, history,
messages and files change only through consultations.services, which lock, validate, record and notify. A site
administrator who must correct a request's wording does it on the request's own edit page, where it is recorded."""

from django.contrib import admin

from consultations.models import Attachment, Consultation, Event, Message, ReferenceCounter, Routing, Watcher
from dxshare.admin import ReadOnlyAdminMixin


class RoutingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Routing
    extra = 0
    fields = ["specialist", "domain", "routed_by", "routed_at", "reason", "is_current", "handed_back_at"]
    readonly_fields = fields


class MessageInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Message
    extra = 0
    fields = ["author", "kind", "body", "created_at"]
    readonly_fields = fields


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Event
    extra = 0
    fields = ["kind", "from_status", "to_status", "actor", "internal", "data", "created_at"]
    readonly_fields = fields


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "title", "organisation", "status", "urgency", "specialist", "submitted_at"]
    list_filter = ["status", "urgency", "help_format", "confidential", "programme", "specialist__domain"]
    search_fields = ["reference", "title"]
    list_select_related = ["organisation", "specialist__user"]
    show_full_result_count = False  # no COUNT(*) over every programme's requests on each list view
    exclude = ["search_text", "suggestion"]
    inlines = [RoutingInline, MessageInline, EventInline]


@admin.register(Routing)
class RoutingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["consultation", "specialist", "domain", "suggested_domain", "routed_by", "routed_at", "is_current"]
    list_filter = ["domain", "is_current"]
    search_fields = ["consultation__reference", "reason"]
    show_full_result_count = False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["consultation", "author", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["consultation__reference"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "consultation", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "consultation__reference"]
    show_full_result_count = False


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["consultation", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind", "internal"]
    search_fields = ["consultation__reference"]
    show_full_result_count = False


@admin.register(Watcher)
class WatcherAdmin(admin.ModelAdmin):
    list_display = ["consultation", "user"]
    raw_id_fields = ["consultation", "user"]


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the numbers are taken under a row lock by the submit service, never by hand."""

    list_display = ["programme", "fiscal_year", "last"]
    list_filter = ["programme", "fiscal_year"]
    search_fields = ["programme__name"]
