from django.urls import include, path

from knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/publish/", views.item_publish, name="publish"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("<int:pk>/share/", views.item_share, name="share"),
    path("<int:pk>/naming/ask/", views.naming_ask, name="naming_ask"),
    path("<int:pk>/naming/", views.naming_decide, name="naming_decide"),
    path("cases/new/<int:consultation_pk>/", views.case_create, name="case_create"),
    path("deliverables/new/", views.deliverable_create, name="deliverable_create"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("similar/", views.similar_fragment, name="similar"),
    path("partners/", include("knowledge.partners.urls")),
]
