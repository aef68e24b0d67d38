from django.urls import path

from . import views

app_name = "selection"

urlpatterns = [
    path("rounds/", views.RoundList.as_view(), name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/summary.xlsx", views.round_summary_export, name="round_summary_export"),
    path("rounds/<int:pk>/list.pdf", views.round_list_pdf, name="round_list_pdf"),
    path("rounds/<int:pk>/list.xlsx", views.round_list_xlsx, name="round_list_xlsx"),
    path("rounds/<int:pk>/districts/<int:district_pk>/list.pdf", views.round_list_pdf, name="district_list_pdf"),
    path("rounds/<int:pk>/districts/<int:district_pk>/list.xlsx", views.round_list_xlsx, name="district_list_xlsx"),
    path("rounds/<int:pk>/nominate/<int:org_pk>/", views.round_nominate, name="round_nominate"),
    path("rounds/<int:pk>/direct/", views.direct_create, name="direct_create"),
    path("nominations/", views.NominationList.as_view(), name="nomination_list"),
    path("queue/", views.NominationList.as_view(queue=True), name="queue"),
    path("queue/approve/", views.queue_approve, name="queue_approve"),
    path("trainees/", views.TraineeList.as_view(), name="trainee_list"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/submit/", views.nomination_submit, name="nomination_submit"),
    path("nominations/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("nominations/<int:pk>/evidence/", views.nomination_evidence, name="nomination_evidence"),
    path("nominations/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path("nominations/<int:pk>/form.pdf", views.nomination_form, name="nomination_form"),
    path("nominations/<int:pk>/review/", views.nomination_review, name="nomination_review"),
]
