from .views import scoring

app_name = "evaluation"

urlpatterns = [
    *scoring.urlpatterns,
]
