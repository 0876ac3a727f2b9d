"""In a real browser (Debian's chromium): apply, upload, submit; review, request changes; approve."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.auth import browser_log_in, browser_second_factor, mailed_path
from tests.factories import SaleorInstallationFactory
from unit_onboarding.models import Application, ApplicationTransition, Unit, UnitMembership

from .factories import platform_finance_user, reviewer
from .test_application_flow import PDF, complete_form

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
PASSWORD = "Bronze-Mirror-1987"


def fill_application(page):
    for name, value in complete_form().items():
        selector = f"[name={name}]"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def test_apply_review_request_changes_and_approve_in_a_browser(browser, live_server, saleor, tmp_path):
    SaleorInstallationFactory()
    base = live_server.url
    licence = tmp_path / "营业执照.pdf"
    licence.write_bytes(PDF)
    fake = tmp_path / "licence.pdf"
    fake.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 100)  # an executable renamed to .pdf

    applicant = browser.new_context(locale="zh-CN").new_page()
    applicant.goto(f"{base}/onboarding/signup/")
    applicant.fill("#id_email", "curator@museum.example.cn")
    applicant.click("main button[type=submit]")
    applicant.wait_for_load_state("load")  # the click returns as the next page starts loading
    assert "请查收邮件" in applicant.content()
    applicant.goto(base + mailed_path(mail.outbox[-1].body, "/onboarding/signup/"))  # the mailed link
    applicant.fill("#id_new_password1", PASSWORD)
    applicant.fill("#id_new_password2", PASSWORD)
    applicant.click("main button[type=submit]")
    applicant.click("button[name=start]")
    assert applicant.locator("#status").inner_text() == "草稿"

    fill_application(applicant)
    applicant.fill("[name=credit_code]", "12500000123456789X")  # wrong check character
    applicant.click("button[name=save]")
    assert "校验码不符" in applicant.locator("#id_credit_code_error").inner_text()

    applicant.fill("[name=credit_code]", complete_form()["credit_code"])
    applicant.click("button[name=save]")
    applicant.wait_for_load_state("load")
    assert "草稿已保存" in applicant.content()

    applicant.set_input_files("input[name=file]", str(fake))
    applicant.click("button[name=upload]")
    applicant.wait_for_load_state("load")
    assert "文件内容不是 PDF、JPEG 或 PNG" in applicant.content()
    applicant.go_back()
    applicant.reload()
    applicant.set_input_files("input[name=file]", str(licence))
    applicant.click("button[name=upload]")
    applicant.wait_for_load_state("load")
    assert "营业执照.pdf" in applicant.content()

    applicant.click("button[name=submit]")
    assert applicant.locator("#status").inner_text() == "已提交"

    staff = reviewer()
    staff.set_password(PASSWORD)
    staff.save()
    review = browser.new_context(locale="en-US").new_page()
    browser_log_in(review, base, staff.username, PASSWORD)
    review.goto(f"{base}/onboarding/review/")
    browser_second_factor(review, staff)  # a reviewer sets up the authenticator first
    review.goto(f"{base}/onboarding/review/")
    review.click("text=重庆红岩革命纪念馆")
    review.click("button[value=in_review]")
    review.fill("#id_comment", "Please upload the authorisation letter.")
    review.click("button[value=changes_requested]")
    assert review.locator("#status").inner_text() == "Changes requested"

    applicant.reload()
    assert applicant.locator("#status").inner_text() == "需要修改"
    assert "Please upload the authorisation letter." in applicant.content()
    applicant.select_option("[name=kind]", "authorisation_letter")
    applicant.set_input_files("input[name=file]", str(licence))
    applicant.click("button[name=upload]")
    applicant.click("button[name=submit]")
    assert applicant.locator("#status").inner_text() == "已提交"

    review.reload()
    review.click("button[value=in_review]")
    assert "No distribution agreement in force" in review.locator("#agreement-state").inner_text()
    review_url = review.url
    review.click("#agreement-link")
    review.fill(
        "#id_effective_from", (timezone.localtime() - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    )
    for role, bps in {"unit": 4000, "operating_entity": 2000, "staff_pool": 2000, "platform": 1500}.items():
        review.fill(f"#id_{role}_bps", str(bps))
    review.click("main form button[type=submit]")
    review.wait_for_load_state("load")
    assert "add up to 9,500" in review.content()  # refused: 95%
    review.fill("#id_platform_bps", "2000")
    review.click("main form button[type=submit]")
    assert "Proposed: awaiting approval by platform finance" in review.locator("#version-1").inner_text()
    review.goto(review_url)
    assert "Version 1 is proposed and awaits approval" in review.locator("#agreement-state").inner_text()

    # platform finance (another person) approves the proposed version in its queue
    finance = platform_finance_user()
    finance.set_password(PASSWORD)
    finance.save()
    approvals = browser.new_context(locale="en-US").new_page()
    browser_log_in(approvals, base, finance.username, PASSWORD)
    approvals.goto(f"{base}/finance/approvals/")
    browser_second_factor(approvals, finance)  # platform finance sets up the authenticator first
    approvals.goto(f"{base}/finance/approvals/")
    assert "4000" in approvals.locator("#agreement-queue").inner_text()
    approvals.click("#agreement-queue button:has-text('Approve')")
    approvals.wait_for_load_state("load")
    assert "No agreement versions await approval." in approvals.content()

    review.reload()
    assert "version 1" in review.locator("#agreement-state").inner_text()
    review.fill("#id_comment", "Welcome.")
    review.click("button[value=approved]")
    assert review.locator("#status").inner_text() == "Approved"
    review.click("text=Unit and provisioning")
    assert review.locator("#provisioning").inner_text() == "Provisioned"

    application = Application.objects.get()
    assert application.status == Application.Status.APPROVED
    assert ApplicationTransition.objects.filter(application=application).count() == 6
    unit = Unit.objects.get()
    assert unit.provisioning == Unit.Provisioning.DONE
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", unit.saleor_warehouse_id)
    assert len(saleor.warehouses) == 1
    assert UnitMembership.objects.filter(unit=unit, user__email="curator@museum.example.cn").exists()
