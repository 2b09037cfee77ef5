from django.urls import path

from reports import views, views_exports, views_people, views_surveys

app_name = "reports"
urlpatterns = [
    path("programmes/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/dashboard/refresh/", views.dashboard_refresh, name="refresh"),
    path("figures/municipalities/<str:code>/", views_people.municipality_figures, name="municipality"),
    path("figures/specialists/<int:pk>/", views_people.specialist_figures, name="specialist"),
]

# Exports (reports.views_exports): CSV and .xlsx of the lists, with the filters of the page they are linked from.
urlpatterns += [
    path("exports/requests.csv", views_exports.requests_export, {"fmt": "csv"}, name="export_requests_csv"),
    path("exports/requests.xlsx", views_exports.requests_export, {"fmt": "xlsx"}, name="export_requests_xlsx"),
    path("exports/visits.csv", views_exports.visits_export, {"fmt": "csv"}, name="export_visits_csv"),
    path("exports/visits.xlsx", views_exports.visits_export, {"fmt": "xlsx"}, name="export_visits_xlsx"),
    path("exports/events.csv", views_exports.events_export, {"fmt": "csv"}, name="export_events_csv"),
    path("exports/events.xlsx", views_exports.events_export, {"fmt": "xlsx"}, name="export_events_xlsx"),
    path("exports/library.csv", views_exports.library_export, {"fmt": "csv"}, name="export_library_csv"),
    path("exports/library.xlsx", views_exports.library_export, {"fmt": "xlsx"}, name="export_library_xlsx"),
    path("exports/", views_exports.my_exports, name="my_exports"),
    path(
        "programmes/<slug:slug>/survey-answers/<int:year>.<str:fmt>",
        views_exports.survey_answers_export,
        name="export_survey_answers",
    ),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
    path(
        "programmes/<slug:slug>/council-report/<int:year>.xlsx",
        views_exports.council_report,
        name="council_report",
    ),
]

# Surveys (reports.views_surveys): a person's open surveys, the answer form, the centre's list and year-end survey.
urlpatterns += [
    path("surveys/", views_surveys.survey_list, name="surveys"),
    path("surveys/<int:pk>/", views_surveys.survey_answer, name="survey"),
    path("programmes/<slug:slug>/surveys/", views_surveys.programme_surveys, name="programme_surveys"),
]
