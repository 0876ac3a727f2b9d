"""factory_boy factories for the project's models."""

from __future__ import annotations

import factory

from saleor_app import secrets_at_rest
from saleor_app.models import SaleorInstallation

# Saleor's global id of this app in the test installation: deliveries name it as their recipient.
APP_ID = "QXBwOjE="


class SaleorInstallationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SaleorInstallation
        django_get_or_create = ("api_url",)

    api_url = "http://127.0.0.1:8000/graphql/"
    domain = "127.0.0.1:8000"
    app_id = APP_ID
    token_encrypted = factory.LazyFunction(lambda: secrets_at_rest.encrypt("t" * 30))
