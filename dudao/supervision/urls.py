from .views import coverage, engagements, practice, sessions

app_name = "supervision"

urlpatterns = [
    *engagements.urlpatterns,
    *sessions.urlpatterns,
    *coverage.urlpatterns,
    *practice.urlpatterns,
]
