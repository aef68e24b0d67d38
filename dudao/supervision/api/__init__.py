"""The API, one module per matter. Each module has `register(router)` for its
viewsets and `urlpatterns` for its paths outside the router."""

from importlib import import_module

MODULES = ["engagements", "sessions", "coverage", "practice"]


def _modules():
    for name in MODULES:
        try:
            yield import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise


def register(router):
    for module in _modules():
        if hasattr(module, "register"):
            module.register(router)


def urlpatterns():
    return [pattern for module in _modules() for pattern in getattr(module, "urlpatterns", [])]
