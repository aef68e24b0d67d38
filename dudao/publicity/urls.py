from django.urls import path

from . import views

app_name = "publicity"

urlpatterns = [
    path("", views.NoticeList.as_view(), name="notice_list"),
    path("<int:pk>/", views.NoticeDetail.as_view(), name="notice_detail"),
    path("<int:pk>/contact/", views.notice_contact, name="notice_contact"),
    path("<int:pk>/notice.pdf", views.notice_print, name="notice_print"),
    path("items/<int:pk>/object/", views.objection_new, name="objection_new"),
    path("objections/", views.ObjectionList.as_view(), name="objection_list"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    # Public: no login, only where the keeper's policy allows.
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_notice, name="public_notice"),
    path("public/<int:pk>/notice.pdf", views.public_print, name="public_print"),
]
