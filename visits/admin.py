from django.contrib import admin

from visits.models import Event, Registration, Trip, Visit


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VisitInline(ReadOnlyInline):
    model = Visit
    fields = ["specialist", "day", "mode", "status"]


@admin.register(Trip)
class TripAdmin(admin.ModelAdmin):
    """Read-only: visits are planned and recorded in the portal (visits.services keeps the counting rule)."""

    list_display = ["purpose", "municipality", "starts_at", "mode", "status"]
    list_filter = ["status", "mode", "programme"]
    date_hierarchy = "starts_at"
    inlines = [VisitInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegistrationInline(ReadOnlyInline):
    model = Registration
    fields = ["user", "municipality", "status", "attended", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "status"]
    list_filter = ["kind", "status", "programme"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
