from django.urls import path

from .views_audit import AuditList

app_name = "core"

urlpatterns = [path("audit/", AuditList.as_view(), name="audit_list")]
