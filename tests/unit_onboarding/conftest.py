"""Files go to a per-test directory; Saleor is the in-memory double at the HTTP edge."""

from __future__ import annotations

import pytest

from tests.storages import temporary_storages

from .factories import UserFactory
from .fake_saleor import fake_saleor_answering


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    return temporary_storages(settings, tmp_path)


@pytest.fixture
def saleor():
    with fake_saleor_answering() as fake:
        yield fake


@pytest.fixture
def applicant(client):
    """A new account, logged in: someone about to apply for their unit."""
    user = UserFactory()
    client.force_login(user)
    return user
