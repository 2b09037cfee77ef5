"""Visits and events in the admin, read-only: they are planned, recorded and registered for in the portal, where
visits.services keeps the counting rule and the waiting list."""

from django.contrib import admin

from dxshare.admin import ReadOnlyAdminMixin
from visits.models import Event, Registration, Trip, Visit


class VisitInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Visit
    fields = ["specialist", "day", "mode", "status"]


@admin.register(Trip)
class TripAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["purpose", "municipality", "starts_at", "mode", "status"]
    list_filter = ["status", "mode", "programme"]
    date_hierarchy = "starts_at"
    inlines = [VisitInline]


class RegistrationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Registration
    fields = ["user", "municipality", "status", "attended", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "status"]
    list_filter = ["kind", "status", "programme"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]
