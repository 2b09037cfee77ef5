from django.urls import path

from municipalities import views, views_communities

app_name = "municipalities"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="programme"),
    path("programmes/<slug:slug>/contact/", views.centre_contact_edit, name="centre_contact"),
    path("programmes/<slug:slug>/reminders/", views.reminder_policy_edit, name="reminder_policy"),
    path("programmes/<slug:slug>/targets/", views.targets_edit, name="targets"),
    path("municipalities/<str:code>/", views.municipality_detail, name="detail"),
    path("communities/", views_communities.community_list, name="communities"),
    path("communities/new/", views_communities.community_create, name="community_create"),
    path("communities/<int:pk>/", views_communities.community_detail, name="community"),
    path("communities/<int:pk>/edit/", views_communities.community_edit, name="community_edit"),
    path("communities/<int:pk>/announcements/", views_communities.announcement_post, name="announcement_post"),
]
