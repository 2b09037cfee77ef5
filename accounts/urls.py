from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitation/accept/", views.accept_invitation, name="accept_invitation"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("language/", views.set_language, name="set_language"),
    path("two-factor/", views.two_factor_required, name="two_factor_required"),
    path("people/<int:pk>/two-factor-reset/", views.two_factor_reset, name="two_factor_reset"),
]
