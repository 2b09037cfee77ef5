from django.urls import path

from consultations import views

app_name = "consultations"
urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("inbox/", views.inbox, name="inbox"),
    path("new/", views.consultation_create, name="create"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/submitted/", views.consultation_submitted, name="submitted"),
    path("<int:pk>/edit/", views.consultation_edit, name="edit"),
    path("<int:pk>/route/", views.consultation_route, name="route"),
    path("<int:pk>/reply/", views.consultation_reply, name="reply"),
    path("<int:pk>/change/<slug:kind>/", views.consultation_change, name="change"),
    path("<int:pk>/accept/", views.consultation_accept, name="accept"),
    path("<int:pk>/hand-back/", views.consultation_hand_back, name="hand_back"),
    path("<int:pk>/watch/", views.consultation_watch, name="watch"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
