"""URL map: each app owns its prefix."""

from django.contrib import admin
from django.urls import include, path

from wenchuang import health

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("saleor/", include("saleor_app.urls")),
    path("payments/gateway/", include("payments.gateway.urls")),
    path("onboarding/", include("unit_onboarding.urls")),
    path("orders/", include("orders.urls")),
    path("finance/", include("payments.finance.urls")),
    path("admin/", admin.site.urls),
]
