"""Party forms, results, appeals: the scoring area's pages (a placeholder until it lands)."""

urlpatterns = []
