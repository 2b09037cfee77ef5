from django.urls import path

from visits import views

app_name = "visits"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/feeds/", views.feeds, name="feeds"),
    path("calendar/feeds/<str:token>.ics", views.feed, name="feed"),
    path("visits/new/", views.visit_new, name="new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="edit"),
    path("visits/<int:pk>/done/", views.visit_done, name="done"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="cancel"),
    path("visits/<int:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("visits/follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("visits/<int:pk>/visit.ics", views.visit_ics, name="visit_ics"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:pk>/register/", views.event_register, name="event_register"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("events/<int:pk>/materials/", views.event_materials, name="event_materials"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("events/registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("events/materials/<int:pk>/", views.material_download, name="material"),
]
