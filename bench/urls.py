"""The application's URLs plus the floor (benchmark only)."""

from django.urls import path

from dudao.urls import urlpatterns as app_urlpatterns

from . import views

urlpatterns = [path("bench/floor/", views.floor, name="bench_floor"), *app_urlpatterns]
