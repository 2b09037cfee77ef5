"""The partner directory's pages, included by knowledge/urls.py under "partners/" (namespace "knowledge")."""

from django.urls import path

from knowledge.partners import views

urlpatterns = [
    path("", views.partner_list, name="partner_list"),
    path("new/", views.partner_create, name="partner_create"),
    path("<int:pk>/", views.partner_detail, name="partner_detail"),
    path("<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/status/", views.need_status, name="need_status"),
    path("needs/<int:pk>/introductions/", views.need_introduce, name="need_introduce"),
    path("needs/introductions/<int:pk>/outcome/", views.need_outcome, name="need_outcome"),
]
