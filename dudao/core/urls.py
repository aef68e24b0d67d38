from django.urls import path

from .views_audit import AuditList
from .views_jobs import JobList, job_detail, job_download
from .views_notifications import notification_list, notification_read

app_name = "core"

urlpatterns = [
    path("audit/", AuditList.as_view(), name="audit_list"),
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/read/", notification_read, name="notification_read"),
    path("exports/", JobList.as_view(), name="job_list"),
    path("exports/<int:pk>/", job_detail, name="job_detail"),
    path("exports/<int:pk>/download/", job_download, name="job_download"),
]
