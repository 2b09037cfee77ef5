from django.contrib import admin

from specialists.models import Specialist


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    list_display = ["user", "domain", "title", "active_from", "active_until"]
    list_filter = ["domain", "user__programme"]
    search_fields = ["user__full_name", "user__email", "title", "profile"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
