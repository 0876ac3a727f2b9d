"""URL map: each app owns its prefix."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from wenchuang import health

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("saleor/", include("saleor_app.urls")),
    path("payments/gateway/", include("payments.gateway.urls")),
    path("onboarding/", include("unit_onboarding.urls")),
    path("catalog/", include("catalog.urls")),
    path("finance/", include("payments.settlement.urls")),
    path("orders/", include("orders.urls")),
    path("finance/", include("payments.finance.urls")),  # graphql: the finance API
    path("admin/", admin.site.urls),
]
# The public shop: Chinese at the root, English under /en/.
urlpatterns += i18n_patterns(path("", include("storefront.urls")), prefix_default_language=False)
