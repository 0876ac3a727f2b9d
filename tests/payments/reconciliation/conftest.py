from tests.payments.settlement.conftest import connect, finance_users, parties  # noqa: F401
