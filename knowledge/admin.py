"""The library and the partner directory are written through the portal's services (anonymity, publishing, the
agreement rules, reminders); the admin site reads them."""

from django.contrib import admin

from dxshare.admin import ReadOnlyAdminMixin
from knowledge.models import Agreement, Introduction, Item, Need, Partner, Tag


@admin.register(Item)
class ItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "status", "domain", "programme", "naming", "published_at"]
    list_filter = ["kind", "status", "domain", "programme"]
    search_fields = ["title"]
    list_select_related = ["programme"]
    exclude = ["search_text", "title_text", "signature"]


@admin.register(Tag)
class TagAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "programme", "visibility", "active"]
    list_filter = ["kind", "visibility", "programme"]
    search_fields = ["name"]
    list_select_related = ["programme"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["partner", "municipality", "starts_on", "ends_on", "yearly_cost", "status"]
    list_select_related = ["partner", "municipality"]


@admin.register(Need)
class NeedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "programme", "status"]
    list_select_related = ["programme"]


@admin.register(Introduction)
class IntroductionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["need", "partner", "introduced_on", "outcome"]
    list_select_related = ["need", "partner"]
