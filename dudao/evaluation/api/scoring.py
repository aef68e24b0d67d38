"""Party scores, results, appeals: the scoring area's (a placeholder until it lands)."""

urlpatterns = []


def register(router):
    pass
