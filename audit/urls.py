from django.urls import path

from audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("export.csv", views.export, name="export"),
    path("sign-ins/", views.sign_in_log, name="sign_ins"),
    path("sign-ins/export.csv", views.sign_in_export, name="sign_ins_export"),
]
