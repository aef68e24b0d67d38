from django.urls import path

from . import views

app_name = "pools"

urlpatterns = [
    path("", views.EntryList.as_view(), name="entry_list"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/status/", views.entry_status, name="entry_status"),
    path("entries/<int:pk>/review/", views.entry_clear_flag, name="entry_clear_flag"),
    path("entries/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("district/admit/", views.district_admit, name="district_admit"),
    path("designate/", views.designate, name="designate"),
    path("people/<int:pk>/", views.profile, name="profile"),
    # Public: no login.
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
]
