"""What the features' admin pages share (nothing is registered here)."""


class ReadOnlyAdminMixin:
    """Nothing added, changed or deleted here: the rows are written by the services and kept as history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
