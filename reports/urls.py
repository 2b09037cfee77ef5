from django.urls import path

from reports import views, views_people

app_name = "reports"
urlpatterns = [
    path("programmes/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/dashboard/refresh/", views.dashboard_refresh, name="refresh"),
    path("figures/municipalities/<str:code>/", views_people.municipality_figures, name="municipality"),
    path("figures/specialists/<int:pk>/", views_people.specialist_figures, name="specialist"),
]
