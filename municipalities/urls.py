from django.urls import path

from municipalities import views

app_name = "municipalities"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme"),
    path("programmes/<slug:slug>/contact/", views.centre_contact_edit, name="centre_contact"),
    path("programmes/<slug:slug>/reminders/", views.reminder_policy_edit, name="reminder_policy"),
    path("programmes/<slug:slug>/targets/", views.targets_edit, name="targets"),
    path("municipalities/<str:code>/", views.municipality_detail, name="detail"),
]
