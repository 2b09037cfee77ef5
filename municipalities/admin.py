from django.contrib import admin

from dxshare.admin import ReadOnlyAdminMixin
from municipalities.models import (
    Announcement,
    Community,
    LocalGovernment,
    Membership,
    Programme,
    ProgrammeTarget,
    Region,
    ReminderPolicy,
)


@admin.register(LocalGovernment)
class LocalGovernmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_kana", "name_en", "kind", "prefecture", "region", "population"]
    list_filter = ["kind", "prefecture"]
    search_fields = ["code", "name", "name_kana", "name_en"]
    list_select_related = ["prefecture", "region"]
    autocomplete_fields = ["prefecture"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "prefecture"]
    list_filter = ["prefecture"]
    search_fields = ["name", "name_en"]


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ["municipality"]
    extra = 0


class TargetInline(admin.TabularInline):
    model = ProgrammeTarget
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "reference_prefix", "prefecture", "centre_name"]
    search_fields = ["name", "name_en", "slug", "centre_name"]
    list_filter = ["prefecture"]
    autocomplete_fields = ["prefecture"]
    inlines = [MembershipInline, TargetInline]


@admin.register(ProgrammeTarget)
class ProgrammeTargetAdmin(admin.ModelAdmin):
    list_display = ["programme", "fiscal_year", "metric", "value"]
    list_filter = ["programme", "fiscal_year", "metric"]
    search_fields = ["programme__name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["municipality", "programme", "joined_on"]
    list_filter = ["programme"]
    search_fields = ["municipality__name", "municipality__code", "programme__name"]
    autocomplete_fields = ["municipality"]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    """Coordinators set these on the programme's reminders page; saving here does not move pending reminders."""

    list_display = [
        "programme",
        "unrouted_hours",
        "first_answer_days",
        "waiting_days",
        "auto_close_days",
        "weekly_digest_weekday",
        "weekly_digest_hour",
    ]
    readonly_fields = ["updated_at", "updated_by"]

    def has_change_permission(self, request, obj=None):
        return False  # changed through the portal (municipalities.services.reminder_policy_update), which replans


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "programme", "rule", "region", "population_below"]
    list_filter = ["programme", "rule"]
    search_fields = ["name"]
    list_select_related = ["programme", "region"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "community", "posted_by", "posted_at"]
    list_select_related = ["community", "posted_by"]
    search_fields = ["title"]
