"""URL map: each app owns its prefix."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from wenchuang import favicon, health, media

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("favicon.ico", favicon.FaviconRedirect.as_view(), name="favicon"),
    path("saleor/", include("saleor_app.urls")),
    path("payments/gateway/", include("payments.gateway.urls")),
    path("onboarding/", include("unit_onboarding.urls")),
    path("catalog/", include("catalog.urls")),
    path("resources/", include("resources.urls")),
    path("office/", include("office.urls")),
    path("synonyms/", include("search.urls")),
    path("shipping/", include("shipping.urls")),
    path("finance/", include("payments.settlement.urls")),
    path("orders/", include("orders.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("promotions/", include("promotions.urls")),
    path("finance/", include("payments.finance.urls")),  # graphql: the finance API
    path("admin/", admin.site.urls),
]
if media.filesystem_media():  # S3 serves its own files
    urlpatterns.append(path(settings.MEDIA_URL.lstrip("/") + "<path:path>", media.media, name="media"))
# The public shop and cultural-resource library: Chinese at the root, English under /en/.
urlpatterns += i18n_patterns(
    path("library/", include("resources.public_urls")),
    path("", include("storefront.urls")),
    prefix_default_language=False,
)
