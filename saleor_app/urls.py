from django.urls import path

from saleor_app import views

app_name = "saleor_app"

urlpatterns = [
    path("manifest", views.manifest, name="manifest"),
    path("register", views.register, name="register"),
    path("webhooks/<slug:name>", views.webhook, name="webhook"),
]
