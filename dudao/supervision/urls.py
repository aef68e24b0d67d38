from importlib import import_module

app_name = "supervision"

MODULES = ["engagements", "sessions", "coverage", "practice"]

urlpatterns = []
for _name in MODULES:
    try:
        urlpatterns += import_module(f"dudao.supervision.views.{_name}").urlpatterns
    except ModuleNotFoundError as exc:
        if exc.name != f"dudao.supervision.views.{_name}":
            raise
