from django.urls import path

from specialists import views

app_name = "specialists"
urlpatterns = [
    path("specialists/", views.specialist_list, name="list"),
    path("specialists/<int:pk>/", views.specialist_detail, name="detail"),
    path("specialists/me/edit/", views.profile_edit, name="profile_edit"),
    path("people/", views.people_list, name="people"),
    path("people/invite/", views.person_invite, name="invite"),
    path("people/invitations/<int:pk>/resend/", views.invitation_resend_view, name="invitation_resend"),
]
