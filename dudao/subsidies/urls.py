from .views import finance, statements

app_name = "subsidies"

urlpatterns = [
    *statements.urlpatterns,
    *finance.urlpatterns,
]
