from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, SecurityEvent, User
from dxshare.admin import ReadOnlyAdminMixin


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "programme", "organisation")


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "programme", "organisation", "is_active", "last_login"]
    list_filter = ["role", "programme", "is_active", "is_staff", "language"]
    search_fields = ["email", "full_name", "organisation__name", "organisation__code"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language"]}),
        (_("Role and scope"), {"fields": ["role", "programme", "organisation"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "programme", "organisation", "password1", "password2"],
            },
        ),
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "invited_by", "created_at", "last_sent_at", "accepted_at"]
    list_filter = ["accepted_at", "user__programme"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user", "invited_by"]
    date_hierarchy = "created_at"


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "email", "user", "actor", "ip"]
    list_filter = ["kind"]
    search_fields = ["email", "ip"]
    date_hierarchy = "at"
    raw_id_fields = ["user", "actor"]


# allauth's own admin would let a factor be deleted without the reason and the record a reset needs: here the
# authenticators are only read; a site administrator resets them on the person's page in the portal.
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    raw_id_fields = ["user"]
    exclude = ["data"]  # the secret and the codes are nobody's to read
