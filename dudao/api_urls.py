from django.urls import path
from rest_framework.routers import DefaultRouter

from dudao.accounts.api import TokenView, UserViewSet
from dudao.directory import api as directory_api

router = DefaultRouter()
router.register("jurisdictions", directory_api.JurisdictionViewSet, basename="jurisdiction")
router.register("organizations", directory_api.OrganizationViewSet, basename="organization")
router.register("people", directory_api.PersonViewSet, basename="person")
router.register("users", UserViewSet, basename="user")

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token"), *router.urls]
