"""The API, one module per matter. Each module has `register(router)` for its
viewsets and/or `urlpatterns` for its paths outside the router."""

from . import cycles, scoring

MODULES = [cycles, scoring]


def register(router):
    for module in MODULES:
        if hasattr(module, "register"):
            module.register(router)


def urlpatterns():
    return [pattern for module in MODULES for pattern in getattr(module, "urlpatterns", [])]
