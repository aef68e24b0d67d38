# Load the Celery app with Django so tasks queued from a page use its settings.
from .celery import app as celery_app

__all__ = ["celery_app"]
