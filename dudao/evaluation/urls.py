from .views import cycles, scoring

app_name = "evaluation"

urlpatterns = [
    *cycles.urlpatterns,
    *scoring.urlpatterns,
]
