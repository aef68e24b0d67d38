"""Pages of the subsidies app, one module per matter, each exposing `urlpatterns`."""
