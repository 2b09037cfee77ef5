from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("programmes/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/dashboard/refresh/", views.dashboard_refresh, name="refresh"),
]
