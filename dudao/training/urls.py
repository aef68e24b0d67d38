from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("programmes/", views.ProgrammeList.as_view(), name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/modules/", views.module_create, name="module_create"),
    path("programmes/<int:pk>/cohorts/", views.cohort_create, name="cohort_create"),
    path("programmes/<int:pk>/surveys/new/", views.survey_create, name="survey_create"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/members/", views.members_add, name="members_add"),
    path("cohorts/<int:pk>/sessions/", views.session_create, name="session_create"),
    path("cohorts/<int:pk>/scores/", views.scores, name="scores"),
    path("cohorts/<int:pk>/scores/template.xlsx", views.scores_template, name="scores_template"),
    path("cohorts/<int:pk>/scores/import/", views.scores_import, name="scores_import"),
    path("cohorts/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("cohorts/<int:pk>/results.xlsx", views.results_export, name="results_export"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("surveys/<int:pk>/", views.survey_summary, name="survey_summary"),
    path("surveys/<int:pk>/send/", views.survey_send, name="survey_send"),
    path("surveys/<int:pk>/answer/", views.survey_answer, name="survey_answer"),
    path("activities/", views.ActivityList.as_view(), name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/participants/", views.participant_choices, name="participant_choices"),
    path("mine/", views.my_training, name="my_training"),
]
