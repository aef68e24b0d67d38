from django.urls import path
from rest_framework.routers import DefaultRouter

from dudao.accounts.api import OwnTokensView, TokenView, UserViewSet
from dudao.core.api_audit import AuditEntryViewSet
from dudao.core.api_jobs import ExportViewSet
from dudao.directory import api as directory_api
from dudao.evaluation import api as evaluation_api
from dudao.policy.api import ParameterViewSet
from dudao.pools import api as pools_api
from dudao.publicity import api as publicity_api
from dudao.selection import api as selection_api
from dudao.subsidies import api as subsidies_api
from dudao.supervision import api as supervision_api
from dudao.training import api as training_api

router = DefaultRouter()
router.register("jurisdictions", directory_api.JurisdictionViewSet, basename="jurisdiction")
router.register("organizations", directory_api.OrganizationViewSet, basename="organization")
router.register("people", directory_api.PersonViewSet, basename="person")
router.register("users", UserViewSet, basename="user")
router.register("exports", ExportViewSet, basename="export")
router.register("audit", AuditEntryViewSet, basename="audit-entry")
router.register("policy/parameters", ParameterViewSet, basename="policy-parameter")
router.register("rounds", selection_api.RoundViewSet, basename="round")
router.register("nominations", selection_api.NominationViewSet, basename="nomination")
router.register("trainees", selection_api.TraineeViewSet, basename="trainee")
publicity_api.register(router)
training_api.register(router)
pools_api.register(router)
supervision_api.register(router)
subsidies_api.register(router)
evaluation_api.register(router)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/tokens/", OwnTokensView.as_view(), name="api-own-tokens"),
    *supervision_api.urlpatterns(),
    *subsidies_api.urlpatterns(),
    *evaluation_api.urlpatterns(),
    *router.urls,
]
