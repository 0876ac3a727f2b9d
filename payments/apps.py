from django.apps import AppConfig

from core.audit import audit_store_set


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        # Django's place for start-up wiring: models can be imported only once the app registry is ready.
        from payments.settlement.audit import finance_audit_store

        audit_store_set(finance_audit_store)
