from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitation/<uidb64>/<token>/", views.accept_invitation, name="accept_invitation"),
    path("language/", views.set_language, name="set_language"),
]
