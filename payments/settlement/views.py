"""Finance console pages: parse, authorize, call one service or selector, render.

Every page needs a finance user; a unit's finance staff only reach their unit's parties (others 404),
and only platform finance runs, approves, executes and reconciles.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import charts, clock
from core.audit import audit_record
from core.finance import is_platform_finance
from core.party import UNIT, Party
from payments.error_codes import FundingError, SettlementError
from payments.funding import selectors as funding_selectors
from payments.funding import services as funding
from payments.funding.models import DiscountFundingVersion
from payments.models import AccountingPeriod, FinanceAuditEvent, SettlementBatch, StatementExport
from payments.reconciliation import services as reconciliation
from payments.settlement import (
    exports,
    order_lines,
    pdf,
    selectors,
    services,
    statement_exports,
    statements,
    stats,
)
from payments.settlement.periods import at_midnight, period_containing
from payments.settlement.permissions import can_see_party, is_finance, visible_parties
from unit_onboarding import agreements, payees
from unit_onboarding import selectors as onboarding_selectors
from unit_onboarding.error_codes import OnboardingError
from unit_onboarding.models import AgreementVersion, PayeeChange

FORMATS = statement_exports.CONTENT_TYPES


def finance_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_finance(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def platform_finance_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_platform_finance(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def party_visible(view):
    """Another unit's party is not found, whatever the method (checked before the method is)."""

    @wraps(view)
    def wrapper(request, party: str, *args, **kwargs):
        if not can_see_party(request.user, party):
            raise Http404
        return view(request, party, *args, **kwargs)

    return wrapper


def _period(request: HttpRequest) -> tuple[date, date]:
    """?start=&end= (YYYY-MM-DD, end exclusive), else the current month."""
    try:
        start = date.fromisoformat(request.GET["start"])
        end = date.fromisoformat(request.GET["end"])
        if end > start:
            return start, end
    except (KeyError, ValueError):
        pass
    return period_containing(clock.today(), "monthly")


def _party(request: HttpRequest, party: str) -> str:
    if not can_see_party(request.user, party):
        raise Http404
    return party


def _download(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=statement_exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _table(fmt: str, *, title: str, subtitle: str, header, rows) -> bytes:
    if fmt == "csv":
        return exports.csv_bytes(header, rows)
    if fmt == "xlsx":
        return exports.xlsx_bytes(header, rows, title=title)
    return pdf.table_pdf(title=title, subtitle=subtitle, header=header, rows=rows)


@finance_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    parties = visible_parties(request.user)
    rows = statements.statements(
        start=at_midnight(start), end=at_midnight(end), currency=settings.SETTLEMENT_CURRENCY, parties=parties
    )
    return render(
        request,
        "payments/finance/home.html",
        {
            "statements": rows,
            "names": selectors.party_names([r.party for r in rows]),
            "start": start,
            "end": end,
            "platform": is_platform_finance(request.user),
        },
    )


def _page(request: HttpRequest) -> dict:
    """?after= / ?before= (a row's cursor) or ?last=1: which page of order lines (keyset, no page numbers)."""
    after = order_lines.Cursor.parse(request.GET.get("after", ""))
    before = order_lines.Cursor.parse(request.GET.get("before", ""))
    if before is not None:
        return {"before": before}
    if after is not None:
        return {"after": after}
    return {"last": request.GET.get("last") == "1"}


@finance_required
@require_GET
def statement(request: HttpRequest, party: str) -> HttpResponse:
    party = _party(request, party)
    start, end = _period(request)
    found = statements.statements(
        start=at_midnight(start), end=at_midnight(end), currency=settings.SETTLEMENT_CURRENCY, parties={party}
    )
    order = request.GET.get("order") or None
    page = _page(request)
    lines, more = order_lines.statement_order_lines(
        party, start, end, now=clock.now(), order_ref=order, **page
    )
    backwards = "before" in page or page.get("last")
    has_previous = more if backwards else "after" in page
    has_next = "before" in page if backwards else more
    return render(
        request,
        "payments/finance/statement.html",
        {
            "party": party,
            "name": selectors.party_names([party])[party],
            "statement": found[0] if found else None,
            "lines": lines,
            "previous": lines[0]["cursor"] if lines and has_previous else "",
            "next": lines[-1]["cursor"] if lines and has_next else "",
            "start": start,
            "end": end,
            "order": order,
            "platform": is_platform_finance(request.user),
            "lines_few": statement_exports.lines_are_few(party=party, start=start, end=end),
            "exports": StatementExport.objects.filter(party=party).order_by("-requested_at", "-pk")[:5],
        },
    )


@finance_required
@require_GET
def statement_export(request: HttpRequest, party: str, fmt: str) -> HttpResponse:
    """The statement's row, or its order lines when few, built now; a big lines export is the worker's."""
    party = _party(request, party)
    start, end = _period(request)
    lines = bool(request.GET.get("lines"))
    if lines and not statement_exports.lines_are_few(party=party, start=start, end=end):
        messages.info(request, _("These order lines are many: prepare their file in the background below."))
        return redirect(reverse("finance:statement", args=[party]) + f"?start={start}&end={end}#exports")
    made = statement_exports.statement_file(
        party=party, start=start, end=end, fmt=fmt, lines=lines, now=clock.now()
    )
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@finance_required
@party_visible
@require_POST
def statement_export_request(request: HttpRequest, party: str) -> HttpResponse:
    """Ask the worker for the statement's file (a big order lines export); its page follows the work."""
    party = _party(request, party)
    fmt = request.POST.get("fmt", "")
    try:
        start = date.fromisoformat(request.POST.get("start", ""))
        end = date.fromisoformat(request.POST.get("end", ""))
        if fmt not in FORMATS:
            raise ValueError(fmt)
        job = statement_exports.statement_export_request(
            party=party,
            start=start,
            end=end,
            fmt=fmt,
            lines=request.POST.get("lines") != "0",
            actor=request.user,
        )
    except ValueError:
        messages.error(request, _("Give the period as two dates (YYYY-MM-DD) and a format."))
        return redirect("finance:statement", party=party)
    except SettlementError as exc:
        messages.error(request, exc.message)
        return redirect("finance:statement", party=party)
    return redirect("finance:statement_export_job", party=party, export=job.uid)


def _export(request: HttpRequest, party: str, export) -> StatementExport:
    """The export, to someone who may see its party's statement now (another unit's staff: 404)."""
    return get_object_or_404(StatementExport, uid=export, party=_party(request, party))


@finance_required
@require_GET
def statement_export_job(request: HttpRequest, party: str, export) -> HttpResponse:
    """One export: its progress while the worker builds it (the page survives a reload), then its file."""
    job = _export(request, party, export)
    return render(
        request,
        "payments/finance/statement_export.html",
        {"job": job, "party": job.party, "name": selectors.party_names([job.party])[job.party]},
    )


@finance_required
@require_GET
def statement_export_progress(request: HttpRequest, party: str, export) -> JsonResponse:
    """The export's progress, polled by its page: each line read, then written."""
    job = _export(request, party, export)
    return JsonResponse(
        {
            "state": "running" if job.running else job.state,
            "label": job.get_state_display(),
            "done": job.read + job.written,
            "total": 2 * job.total,
            "percent": job.percent,
            "error": job.error,
        }
    )


@finance_required
@require_GET
def statement_export_download(request: HttpRequest, party: str, export) -> HttpResponse:
    """The export's file, once ready, to whoever may see the party's statement (checked now, not when
    asked: someone who left the unit since gets 404)."""
    job = _export(request, party, export)
    if job.state != StatementExport.State.DONE or not job.file:
        raise Http404
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=statement_exports.CONTENT_TYPES[job.fmt],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@finance_required
@party_visible
@require_POST
def statement_export_retry(request: HttpRequest, party: str, export) -> HttpResponse:
    """Build a stopped export again, from the start."""
    job = _export(request, party, export)
    try:
        statement_exports.statement_export_retry(export=job)
    except SettlementError as exc:
        messages.error(request, exc.message)
    return redirect("finance:statement_export_job", party=job.party, export=job.uid)


@finance_required
@require_GET
def chart_revenue(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    parties = visible_parties(request.user)
    units = {p for p in parties if Party.parse(p).kind == UNIT} if parties is not None else None
    series = statements.revenue_by_unit_month(
        start=at_midnight(start), end=at_midnight(end), currency=settings.SETTLEMENT_CURRENCY, units=units
    )
    names = selectors.party_names(list(series))
    svg = charts.bar_chart_svg({names[u]: v for u, v in series.items()}, title=_("Revenue by unit per month"))
    return HttpResponse(svg, content_type="image/svg+xml")


@finance_required
@require_GET
def chart_shares(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    shares = statements.shares_by_party(
        start=at_midnight(start),
        end=at_midnight(end),
        currency=settings.SETTLEMENT_CURRENCY,
        parties=visible_parties(request.user),
    )
    names = selectors.party_names(list(shares))
    svg = charts.share_chart_svg({names[p]: v for p, v in shares.items()}, title=_("Shares by party"))
    return HttpResponse(svg, content_type="image/svg+xml")


@platform_finance_required
@require_GET
def batches(request: HttpRequest) -> HttpResponse:
    rows = list(SettlementBatch.objects.order_by("-period_end", "party")[:500])
    default = period_containing(clock.today() - timedelta(days=28), settings.SETTLEMENT_PERIOD)
    return render(
        request,
        "payments/finance/batches.html",
        {"batches": rows, "default": default, "names": selectors.party_names({b.party for b in rows})},
    )


@platform_finance_required
@require_POST
def batches_run(request: HttpRequest) -> HttpResponse:
    try:
        start = date.fromisoformat(request.POST.get("start", ""))
        end = date.fromisoformat(request.POST.get("end", ""))
        made = services.settlement_run(period_start=start, period_end=end, actor=request.user)
        messages.info(request, _("%(n)d batches for this period.") % {"n": len(made)})
    except ValueError:
        messages.error(request, _("Give the period as two dates (YYYY-MM-DD)."))
    except SettlementError as exc:
        messages.error(request, str(exc))
    return redirect("finance:batches")


@platform_finance_required
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(SettlementBatch, pk=pk)
    lines = selectors.batch_lines(batch)
    return render(
        request,
        "payments/finance/batch.html",
        {
            "batch": batch,
            "name": selectors.party_names([batch.party])[batch.party],
            "payee": selectors.batch_payee(batch),
            "payee_on_record": selectors.payee_of(batch.party),
            "payee_changed": batch.status in ("proposed", "approved") and selectors.payee_changed(batch),
            "lines": lines,
            "lines_total": sum(ln["net"] for ln in lines),
            "carries": selectors.batch_carries(batch),
            "transfers": batch.transfers.order_by("order_ref"),
            "progress": selectors.execution_progress(batch),
        },
    )


@platform_finance_required
@require_GET
def batch_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The execution's progress for the batch page's bar (polled while the worker sends transfers)."""
    progress = selectors.execution_progress(get_object_or_404(SettlementBatch, pk=pk))
    return JsonResponse(
        {
            "state": progress.state,
            "done": progress.sent,
            "total": progress.total,
            "percent": progress.percent,
            "error": progress.error,
        }
    )


DONE = gettext_lazy("Done.")


def _batch_action(action, done=DONE):
    @platform_finance_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        get_object_or_404(SettlementBatch, pk=pk)
        try:
            action(batch_id=pk, actor=request.user)
            messages.info(request, done)
        except SettlementError as exc:
            messages.error(request, str(exc))
        return redirect("finance:batch", pk=pk)

    return view


batch_approve = _batch_action(services.settlement_approve)
batch_execute = _batch_action(
    services.settlement_execute_request,
    gettext_lazy("Execution started: this page follows the transfers as they are sent."),
)
batch_mark_paid = _batch_action(services.settlement_mark_paid)
batch_reject = _batch_action(services.settlement_reject)


@platform_finance_required
@require_GET
def bank_file(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = SettlementBatch.objects.filter(
        method=SettlementBatch.Method.BANK, status=SettlementBatch.Status.EXECUTED
    ).order_by("pk")
    try:
        data = exports.bank_file_rows(rows)
    except SettlementError as exc:
        messages.error(request, str(exc))
        return redirect("finance:batches")
    audit_record(
        actor=request.user, action="bank_file.downloaded", subject="bank_file", batches=[r[0] for r in data]
    )
    body = (
        exports.csv_bytes(exports.BANK_FILE_HEADER, data)
        if fmt == "csv"
        else exports.xlsx_bytes(exports.BANK_FILE_HEADER, data, title="settlement")
    )
    return _download(body, fmt, f"bank-settlement-{clock.now():%Y%m%d%H%M}")


@platform_finance_required
@require_GET
def periods(request: HttpRequest) -> HttpResponse:
    return render(
        request, "payments/finance/periods.html", {"periods": AccountingPeriod.objects.order_by("-start")}
    )


@platform_finance_required
@require_POST
def period_open(request: HttpRequest) -> HttpResponse:
    try:
        start = date.fromisoformat(request.POST.get("start", ""))
        end = date.fromisoformat(request.POST.get("end", ""))
        period = reconciliation.period_open(start=at_midnight(start), end=at_midnight(end))
    except ValueError:
        messages.error(request, _("Give the period as two dates (YYYY-MM-DD)."))
        return redirect("finance:periods")
    return redirect("finance:period", pk=period.pk)


@platform_finance_required
@require_GET
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(AccountingPeriod, pk=pk)
    result = reconciliation.period_reconcile(period=period, currency=settings.SETTLEMENT_CURRENCY)
    return render(request, "payments/finance/period.html", {"period": period, "result": result})


@platform_finance_required
@require_POST
def period_explain(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(AccountingPeriod, pk=pk)
    note = request.POST.get("note", "").strip()
    if not note:
        messages.error(request, _("Say why the difference is acceptable."))
    else:
        try:
            reconciliation.item_explain(
                period=period, item_key=request.POST.get("item", ""), note=note, actor=request.user
            )
        except SettlementError as exc:
            messages.error(request, str(exc))
    return redirect("finance:period", pk=pk)


@platform_finance_required
@require_POST
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(AccountingPeriod, pk=pk)
    try:
        reconciliation.period_close(period_id=pk, actor=request.user, currency=settings.SETTLEMENT_CURRENCY)
        messages.info(request, _("The period is closed."))
    except SettlementError as exc:
        messages.error(request, str(exc))
    return redirect("finance:period", pk=pk)


@platform_finance_required
@require_GET
def bureau(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    figures = stats.bureau_stats(
        start=at_midnight(start), end=at_midnight(end), currency=settings.SETTLEMENT_CURRENCY
    )
    campaign_tables = [
        (_("Unit"), sorted(figures.campaigns_by_unit.items())),
        (_("Unit type"), sorted(figures.campaigns_by_type.items())),
    ]
    return render(
        request,
        "payments/finance/stats.html",
        {"stats": figures, "start": start, "end": end, "campaign_tables": campaign_tables},
    )


@platform_finance_required
@require_GET
def bureau_export(request: HttpRequest, fmt: str) -> HttpResponse:
    start, end = _period(request)
    figures = stats.bureau_stats(
        start=at_midnight(start), end=at_midnight(end), currency=settings.SETTLEMENT_CURRENCY
    )
    data = _table(
        fmt,
        title=_("Statistics for the culture bureau"),
        subtitle=f"{start} / {end} ({settings.SETTLEMENT_CURRENCY}, fen)",
        header=stats.STATS_HEADER,
        rows=stats.stats_rows(figures),
    )
    return _download(data, fmt, f"bureau-stats-{start}")


@platform_finance_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Platform finance's queue: payout changes to confirm and agreement versions to approve."""
    changes = payees.payee_changes_pending()
    open_batches = SettlementBatch.objects.filter(
        party__in={c.party for c in changes}
        | {Party.staff_pool(c.unit.uid).key for c in changes if c.kind == "unit"},
        status__in=(SettlementBatch.Status.PROPOSED, SettlementBatch.Status.APPROVED),
    ).order_by("pk")
    by_party: dict[str, list[SettlementBatch]] = {}
    for batch in open_batches:
        by_party.setdefault(batch.party, []).append(batch)
    return render(
        request,
        "payments/finance/approvals.html",
        {
            "changes": [
                (
                    c,
                    by_party.get(c.party, [])
                    + (by_party.get(Party.staff_pool(c.unit.uid).key, []) if c.kind == "unit" else []),
                )
                for c in changes
            ],
            "decided": PayeeChange.objects.exclude(status=PayeeChange.Status.PENDING).select_related(
                "unit", "designer", "requested_by", "decided_by"
            )[:30],
            "versions": [
                (v, onboarding_selectors.agreement_version_in_force(v.agreement.unit, clock.now()))
                for v in onboarding_selectors.agreement_versions_proposed()
            ],
        },
    )


def _approval_action(action):
    @platform_finance_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        try:
            action(pk, request)
            messages.info(request, _("Done."))
        except OnboardingError as error:
            messages.error(request, error.message)
        return redirect("finance:approvals")

    return view


def _payee_confirm(pk: int, request: HttpRequest) -> None:
    change = get_object_or_404(PayeeChange, pk=pk)
    payees.payee_change_confirm(change_id=change.pk, actor=request.user, language=get_language())


def _payee_reject(pk: int, request: HttpRequest) -> None:
    change = get_object_or_404(PayeeChange, pk=pk)
    payees.payee_change_reject(
        change_id=change.pk,
        actor=request.user,
        reason=request.POST.get("reason", "").strip()[:1000],
        language=get_language(),
    )


def _agreement_approve(pk: int, request: HttpRequest) -> None:
    version = get_object_or_404(AgreementVersion, pk=pk)
    agreements.agreement_version_approve(
        version_id=version.pk, actor=request.user, note=request.POST.get("note", "").strip()[:1000]
    )


def _agreement_reject(pk: int, request: HttpRequest) -> None:
    version = get_object_or_404(AgreementVersion, pk=pk)
    agreements.agreement_version_reject(
        version_id=version.pk, actor=request.user, note=request.POST.get("note", "").strip()[:1000]
    )


payee_change_confirm = _approval_action(_payee_confirm)
payee_change_reject = _approval_action(_payee_reject)
agreement_version_approve = _approval_action(_agreement_approve)
agreement_version_reject = _approval_action(_agreement_reject)


@platform_finance_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    events = list(FinanceAuditEvent.objects.select_related("actor").order_by("-at")[:500])
    names = selectors.party_names({e.party for e in events if e.party})
    return render(request, "payments/finance/audit.html", {"events": events, "names": names})


@platform_finance_required
@require_GET
def discount_funding(request: HttpRequest) -> HttpResponse:
    """Who funds each Saleor promotion or voucher, the proposals awaiting approval, and a form to propose."""
    return render(
        request,
        "payments/finance/discount_funding.html",
        {"fundings": funding_selectors.fundings_listed(), "funders": DiscountFundingVersion.Funder.choices},
    )


def _funding_action(action):
    @platform_finance_required
    @require_POST
    def view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
        try:
            action(request, pk)
            messages.info(request, _("Done."))
        except FundingError as error:
            messages.error(request, error.message)
        return redirect("finance:discount_funding")

    return view


def _funding_propose(request: HttpRequest, _pk: None) -> None:
    bps = request.POST.get("platform_bps", "").strip()
    funding.funding_propose(
        key=request.POST.get("key", ""),
        funder=request.POST.get("funder", ""),
        platform_bps=int(bps) if bps.isdigit() else None,
        name=request.POST.get("name", "").strip(),
        note=request.POST.get("note", "").strip()[:1000],
        actor=request.user,
    )


def _funding_approve(request: HttpRequest, pk: int) -> None:
    funding.funding_approve(
        version_id=get_object_or_404(DiscountFundingVersion, pk=pk).pk, actor=request.user
    )


def _funding_reject(request: HttpRequest, pk: int) -> None:
    funding.funding_reject(
        version_id=get_object_or_404(DiscountFundingVersion, pk=pk).pk,
        actor=request.user,
        note=request.POST.get("note", "").strip()[:1000],
    )


discount_funding_propose = _funding_action(_funding_propose)
discount_funding_approve = _funding_action(_funding_approve)
discount_funding_reject = _funding_action(_funding_reject)
