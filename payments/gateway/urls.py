from django.urls import path

from payments.gateway import views, webhooks

app_name = "payments_gateway"

urlpatterns = [
    path("saleor/<slug:name>", views.saleor_webhook, name="saleor-webhook"),
    path("stripe/webhook", webhooks.stripe_webhook, name="stripe-webhook"),
    path("pay", views.payment_page, name="payment-page"),
    path("pay/card", views.payment_card, name="payment-card"),
    path("pay/return", views.payment_return, name="payment-return"),
]
