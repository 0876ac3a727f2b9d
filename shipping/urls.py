from django.urls import path

from shipping import views, webhooks

app_name = "shipping"

urlpatterns = [
    path("saleor/<slug:name>", webhooks.saleor_webhook, name="saleor-webhook"),
    path("units/<uuid:uid>/rates/", views.unit_rates, name="unit_rates"),
]
