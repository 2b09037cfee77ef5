from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitation/accept/", views.accept_invitation, name="accept_invitation"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("language/", views.set_language, name="set_language"),
]
