"""Pages, one module per matter; each module exposes `urlpatterns`."""
