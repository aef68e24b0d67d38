from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("dudao.accounts.urls")),
    path("directory/", include("dudao.directory.urls")),
    path("core/", include("dudao.core.urls")),
    path("selection/", include("dudao.selection.urls")),
    path("policy/", include("dudao.policy.urls")),
    path("publicity/", include("dudao.publicity.urls")),
    path("training/", include("dudao.training.urls")),
    path("pools/", include("dudao.pools.urls")),
    path("supervision/", include("dudao.supervision.urls")),
    path("subsidies/", include("dudao.subsidies.urls")),
    path("evaluation/", include("dudao.evaluation.urls")),
    path("api/v1/", include("dudao.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
]
