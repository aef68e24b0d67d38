from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("organizations/", views.OrganizationList.as_view(), name="organization_list"),
    path("organizations/choices/", views.organization_choices, name="organization_choices"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<int:pk>/archive/", views.organization_archive, name="organization_archive"),
    path("organizations/<int:pk>/staff-import/", views.roster_import, name="roster_import"),
    path("organizations/<int:pk>/staff-import/template/", views.roster_template, name="roster_template"),
    path("people/", views.PersonList.as_view(), name="person_list"),
    path("people/choices/", views.person_choices, name="person_choices"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/certificates/", views.person_add_certificate, name="person_add_certificate"),
    path("people/<int:pk>/discipline/", views.person_add_disciplinary_record, name="person_add_disciplinary_record"),
    path("people/<int:pk>/end-employment/", views.person_end_employment, name="person_end_employment"),
]
