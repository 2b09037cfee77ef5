from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from dxshare import views

admin.site.site_header = _("dxshare administration")
admin.site.site_title = _("dxshare administration")
# The admin signs in through the portal's own sign-in (allauth): the same limits on failed attempts, the same second
# factor. Its own password form would be a side door around both.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/notifications/", include("notifications.urls")),
    path("account/", include("accounts.urls")),
    path("", include("municipalities.urls")),
    path("", include("specialists.urls")),
    path("consultations/", include("consultations.urls")),
    path("", include("visits.urls")),
    path("", include("reports.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
