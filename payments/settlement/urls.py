from django.urls import path, register_converter

from payments.settlement import views


class Format:
    regex = "csv|xlsx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Format, "fmt")

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("statements/<str:party>/", views.statement, name="statement"),
    path("statements/<str:party>/export.<fmt:fmt>", views.statement_export, name="statement_export"),
    path("statements/<str:party>/exports/", views.statement_export_request, name="statement_export_request"),
    path(
        "statements/<str:party>/exports/<uuid:export>/",
        views.statement_export_job,
        name="statement_export_job",
    ),
    path(
        "statements/<str:party>/exports/<uuid:export>/progress",
        views.statement_export_progress,
        name="statement_export_progress",
    ),
    path(
        "statements/<str:party>/exports/<uuid:export>/download",
        views.statement_export_download,
        name="statement_export_download",
    ),
    path(
        "statements/<str:party>/exports/<uuid:export>/retry",
        views.statement_export_retry,
        name="statement_export_retry",
    ),
    path("charts/revenue-by-unit.svg", views.chart_revenue, name="chart_revenue"),
    path("charts/shares.svg", views.chart_shares, name="chart_shares"),
    path("batches/", views.batches, name="batches"),
    path("batches/run", views.batches_run, name="batches_run"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/approve", views.batch_approve, name="batch_approve"),
    path("batches/<int:pk>/execute", views.batch_execute, name="batch_execute"),
    path("batches/<int:pk>/progress", views.batch_progress, name="batch_progress"),
    path("batches/<int:pk>/paid", views.batch_mark_paid, name="batch_paid"),
    path("batches/<int:pk>/reject", views.batch_reject, name="batch_reject"),
    path("bank-file.<fmt:fmt>", views.bank_file, name="bank_file"),
    path("periods/", views.periods, name="periods"),
    path("periods/open", views.period_open, name="period_open"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/explain", views.period_explain, name="period_explain"),
    path("periods/<int:pk>/close", views.period_close, name="period_close"),
    path("statistics/", views.bureau, name="stats"),
    path("statistics/export.<fmt:fmt>", views.bureau_export, name="stats_export"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/payee/<int:pk>/confirm", views.payee_change_confirm, name="payee_change_confirm"),
    path("approvals/payee/<int:pk>/reject", views.payee_change_reject, name="payee_change_reject"),
    path("approvals/agreement/<int:pk>/approve", views.agreement_version_approve, name="agreement_approve"),
    path("approvals/agreement/<int:pk>/reject", views.agreement_version_reject, name="agreement_reject"),
    path("audit/", views.audit, name="audit"),
    path("discounts/", views.discount_funding, name="discount_funding"),
    path("discounts/propose", views.discount_funding_propose, name="discount_funding_propose"),
    path("discounts/<int:pk>/approve", views.discount_funding_approve, name="discount_funding_approve"),
    path("discounts/<int:pk>/reject", views.discount_funding_reject, name="discount_funding_reject"),
]
