"""The history tables in the admin: read only (the database refuses changes anyway). The audit page (/audit/) is
the place to read them; the admin lists them for completeness."""

from django.contrib import admin

from audit.selectors import TRAILS
from dxshare.admin import ReadOnlyAdminMixin


class HistoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "pgh_context_id"]
    list_filter = ["pgh_label"]
    search_fields = ["pgh_label"]
    date_hierarchy = "pgh_created_at"
    show_full_result_count = False  # no count of a table that grows with every change


for trail in TRAILS:
    if not admin.site.is_registered(trail.history):
        admin.site.register(trail.history, HistoryAdmin)
