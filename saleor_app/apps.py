from django.apps import AppConfig


class SaleorAppConfig(AppConfig):
    name = "saleor_app"
    verbose_name = "Saleor App"
