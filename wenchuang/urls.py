"""URL map: each app owns its prefix."""

from django.contrib import admin
from django.urls import include, path

from wenchuang import health

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("saleor/", include("saleor_app.urls")),
    path("onboarding/", include("unit_onboarding.urls")),
    path("catalog/", include("catalog.urls")),
    path("admin/", admin.site.urls),
]
