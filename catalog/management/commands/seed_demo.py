"""Seed the demo shop through the real services: three units onboarded (with agreements, their own bank
accounts and registered designers with bank details), about thirty products with drawn images and
provenance, approved and on sale, a few paying their designer a royalty; pushed to Saleor when one is
installed.

Idempotent: a unit is found by its credit code, an object by its accession number, a product by its SKU,
so running it again creates nothing new. Background work (image processing, provisioning, pushes) runs
in-line here, so no worker is needed.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from celery import current_app as celery_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from pypdf import PdfWriter

from catalog import listings, provenance, services
from catalog.demo_data import (
    DEMO_ROYALTY_BPS,
    DEMO_ROYALTY_PRODUCTS,
    ERA_OF_OBJECT,
    PRODUCT_ATTRIBUTES,
    UNITS,
)
from catalog.demo_images import product_picture
from catalog.models import CollectionObject, IpLicence, Listing, ListingVariant
from catalog.saleor_sync import sync_batch
from core import clock
from core.finance import platform_finance_group
from saleor_app.app_client import app_client
from saleor_app.channels import sales_channel_ensure
from saleor_app.errors import SaleorError
from saleor_app.selectors import installation_default
from unit_onboarding import agreements, designers, payees
from unit_onboarding import services as onboarding
from unit_onboarding.models import Application, Designer, Unit
from unit_onboarding.uscc import check_character

ADMIN_EMAIL = "demo-admin@wenchuang.example"
# A second platform finance login: settlement batches are approved by one person and executed by another.
FINANCE_EMAIL = "demo-finance@wenchuang.example"
DEMO_PASSWORD = "wenchuang-demo"  # noqa: S105 - documented demo login, local use only
S = Application.Status


def licence_pdf() -> bytes:
    """A blank one-page PDF standing in for a scanned business licence (well-formed: documents are parsed)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def credit_code(n: int) -> str:
    first17 = f"12500000{n:09d}"[:17]
    return first17 + check_character(first17)


class Command(BaseCommand):
    help = "Onboard three demo units and list about thirty products (idempotent)."

    def handle(self, *args, **options) -> None:
        # Explicit, and only for this command: tasks run in this process instead of a worker.
        celery_app.conf.task_always_eager = True
        self.stdout.write("seed_demo: running background tasks in-line")
        admin = self._admin()
        saleor = installation_default()
        self.stdout.write(
            f"Saleor: {saleor.api_url if saleor and saleor.token else 'not installed, no pushes'}"
        )
        if saleor and saleor.token:
            # Before any unit: provisioning attaches warehouses to this channel and its China zone.
            try:
                sales_channel_ensure(client=app_client())
            except SaleorError as exc:
                raise CommandError(f"seed_demo: the Saleor sales channel is not usable: {exc}") from exc
            self.stdout.write(f"Saleor channel {settings.SALEOR_CHANNEL_SLUG}: CNY, ships to China")
        created = 0
        # Products approved here reach Saleor together, in bulk, once all are listed.
        with sync_batch():
            for spec in UNITS:
                unit, operator = self._unit(spec, admin)
                self._unit_bank(spec, unit, admin)
                team = self._designers(spec, unit, admin)
                objects = self._objects(spec, unit)
                licence = self._licence(unit)
                for index, product in enumerate(spec["products"]):
                    created += self._product(
                        spec, unit, operator, admin, objects, licence, index, product, team
                    )
                self._royalties(unit, team, admin)
        total = Listing.objects.filter(
            unit__credit_code__in=[credit_code(s["code_no"]) for s in UNITS]
        ).count()
        self.stdout.write(
            self.style.SUCCESS(f"seed_demo: {created} products created, {total} demo products in all")
        )
        logins = [ADMIN_EMAIL, FINANCE_EMAIL] + [
            f"operator@{spec['key']}.demo.wenchuang.example" for spec in UNITS
        ]
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): {', '.join(logins)}")

    def _admin(self):
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username=ADMIN_EMAIL, defaults={"email": ADMIN_EMAIL, "is_staff": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        group, _ = Group.objects.get_or_create(name="Platform reviewers")
        group.permissions.add(
            Permission.objects.get(content_type__app_label="unit_onboarding", codename="review_application"),
            Permission.objects.get(content_type__app_label="catalog", codename="review_listing"),
        )
        finance = platform_finance_group()
        admin.groups.add(group, finance)
        colleague, created = User.objects.get_or_create(
            username=FINANCE_EMAIL, defaults={"email": FINANCE_EMAIL}
        )
        if created:
            colleague.set_password(DEMO_PASSWORD)
            colleague.save()
        colleague.groups.add(finance)
        # the second person of every four-eyes step (payout details, agreement versions)
        self.colleague = User.objects.get(pk=colleague.pk)
        return User.objects.get(pk=admin.pk)  # fresh: permissions are cached per instance

    def _unit(self, spec: dict, admin) -> tuple[Unit, object]:
        User = get_user_model()
        email = f"operator@{spec['key']}.demo.wenchuang.example"
        operator, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            operator.set_password(DEMO_PASSWORD)
            operator.save()
        code = credit_code(spec["code_no"])
        unit = Unit.objects.filter(credit_code=code).first()
        if unit is None:
            application = onboarding.application_start(applicant=operator, language="zh-hans")
            onboarding.application_save(
                application=application,
                unit_data={
                    **spec["unit"],
                    "credit_code": code,
                    "province": "重庆市",
                    "city": "重庆市",
                    "contact_name": "演示联系人",
                    "contact_phone": "+86 23 6000 0000",
                    "contact_email": email,
                },
                entity_data={
                    "legal_name": f"{spec['unit']['legal_name_zh']}文创运营公司",
                    "credit_code": self._entity_code(spec["code_no"]),
                    "settlement_method": "bank",
                    "bank_name": "中国工商银行重庆分行",
                    "bank_account": f"62220202{spec['code_no']:011d}",
                },
            )
            onboarding.document_add(
                application=application,
                kind="business_licence",
                upload=SimpleUploadedFile("licence.pdf", licence_pdf(), content_type="application/pdf"),
                actor=operator,
            )
            onboarding.application_transition(application=application, to_status=S.SUBMITTED, actor=operator)
            onboarding.application_transition(application=application, to_status=S.IN_REVIEW, actor=admin)
            unit = Unit.objects.get(credit_code=code)
            keys = agreements.default_party_keys(unit)
            proposal = agreements.agreement_version_propose(
                unit=unit,
                effective_from=clock.now(),
                shares=[
                    agreements.ShareTerm(keys["unit"], "unit", 6000),
                    agreements.ShareTerm(keys["operating_entity"], "operating_entity", 2500),
                    agreements.ShareTerm(keys["staff_pool"], "staff_pool", 500),
                    agreements.ShareTerm(keys["platform"], "platform", 1000),
                ],
                actor=admin,
                note="demo",
            )
            # the unit's first version, approved by the second platform finance login (four eyes)
            agreements.agreement_version_approve(version_id=proposal.pk, actor=self.colleague)
            # Approval needs an agreement in force: every sale of the unit can then be split.
            onboarding.application_transition(application=application, to_status=S.APPROVED, actor=admin)
            unit.refresh_from_db()
            onboarding.unit_profile_update(unit=unit, data={"display_name": spec["display_name"]})
            self.stdout.write(f"  onboarded {unit} ({unit.get_provisioning_display()})")
        unit.refresh_from_db()
        return unit, operator

    def _unit_bank(self, spec: dict, unit: Unit, admin) -> None:
        """The institution's own account (its share and staff pool are paid there, not to the entity),
        asked for by one platform finance member and confirmed by the other."""
        if unit.payout_ready:
            return
        change = payees.pending_change(payees.unit_payee(unit)) or payees.payee_change_request(
            payee=payees.unit_payee(unit),
            data={
                "account_name": spec["unit"]["legal_name_zh"],
                "bank_name": "中国建设银行重庆分行",
                "bank_account": f"62270000{spec['code_no']:011d}",
            },
            actor=admin,
        )
        payees.payee_change_confirm(change_id=change.pk, actor=self.colleague)
        unit.refresh_from_db()

    def _designers(self, spec: dict, unit: Unit, admin) -> list[Designer]:
        """The unit's designers with bank details, registered as finance would (found again by slug)."""
        team = []
        for slug, name_zh, name_en, bank_name, account in spec["designers"]:
            designer = Designer.objects.filter(slug=slug).first() or designers.designer_register(
                unit=unit,
                slug=slug,
                data={
                    "name_zh": name_zh,
                    "name_en": name_en,
                    "bank_name": bank_name,
                    "bank_account": account,
                },
                actor=admin,
            )
            pending = payees.pending_change(payees.designer_payee(designer))
            if pending is not None:  # its payout details take effect once the second person confirms
                payees.payee_change_confirm(change_id=pending.pk, actor=self.colleague)
                designer.refresh_from_db()
            team.append(designer)
        return team

    def _royalties(self, unit: Unit, team: list[Designer], admin) -> None:
        """The first products drawn from the collection pay their credited designer a royalty from now on."""
        drawn = Listing.objects.filter(unit=unit).exclude(collection_object=None).order_by("pk")
        for listing in drawn[:DEMO_ROYALTY_PRODUCTS]:
            if listing.designer_royalties.exists():
                continue
            designer = next((d for d in team if d.name_zh == listing.designer), team[0])
            start = clock.now()
            provenance.designer_royalty_set(
                listing=listing,
                designer=designer,
                bps=DEMO_ROYALTY_BPS,
                effective_from=start,
                actor=admin,
                now=start,  # from the moment of seeding: nothing earlier is touched
            )
            self.stdout.write(f"  royalty {DEMO_ROYALTY_BPS} bps on {listing} to {designer.party_key}")

    @staticmethod
    def _entity_code(n: int) -> str:
        first17 = f"91500103{n:09d}"[:17]
        return first17 + check_character(first17)

    def _objects(self, spec: dict, unit: Unit) -> list[CollectionObject]:
        objects = []
        for accession, title_zh, title_en, era, material, dimensions, public_domain in spec["objects"]:
            obj = CollectionObject.objects.filter(unit=unit, accession_number=accession).first()
            obj = obj or provenance.collection_object_save(
                unit=unit,
                data={
                    "accession_number": accession,
                    "title_zh": title_zh,
                    "title_en": title_en,
                    "era": era,
                    "material": material,
                    "dimensions": dimensions,
                    "story_zh": f"{title_zh}是{unit.display_name}的馆藏珍品，年代为{era}。",
                    "story_en": f"{title_en} is held by {unit.legal_name_en}.",
                    "public_domain": public_domain,
                },
            )
            objects.append(obj)
        return objects

    def _licence(self, unit: Unit) -> IpLicence:
        licence = IpLicence.objects.filter(licensor=unit).order_by("pk").first()
        if licence is None:
            today = clock.today()
            licence = provenance.ip_licence_create(
                licensor=unit,
                data={
                    "licensee_name": unit.operating_entity.legal_name,
                    "licensee_credit_code": unit.operating_entity.credit_code,
                    "scope": "馆藏文物形象用于文创产品的设计、生产和线上销售",
                    "valid_from": today - timedelta(days=30),
                    "valid_until": today + timedelta(days=730),
                    "royalty_bps": 800,
                },
            )
        return licence

    def _product(self, spec, unit, operator, admin, objects, licence, index, product, team) -> int:
        motif, name_zh, name_en, category, price_fen, object_index, relation = product
        sku = f"DEMO-{spec['key'].upper()}-{index + 1:02d}"
        if ListingVariant.objects.filter(sku=f"{sku}-A").exists():
            return 0
        obj = objects[object_index] if object_index is not None else None
        attributes = dict(PRODUCT_ATTRIBUTES[name_en])
        if obj is not None and obj.era in ERA_OF_OBJECT:
            attributes["wenchuang-era"] = ERA_OF_OBJECT[obj.era]
        listing = listings.listing_create(
            unit=unit,
            data={
                "name_zh": name_zh,
                "name_en": name_en,
                "description_zh": f"{name_zh}，{unit.display_name}文创出品。"
                + (f"\n\n灵感来自馆藏{obj.title_zh}（{obj.era}）。" if obj else ""),
                "description_en": f"{name_en}, made for {unit.legal_name_en}."
                + (f"\n\nAfter {obj.title_en} in the collection." if obj else ""),
                "category": category,
                "product_type": "wenchuang-book"
                if category == "wenchuang-books-prints"
                else "wenchuang-goods",
                "seo_title": name_zh[:70],
                "seo_description": f"{unit.display_name} · {name_zh}"[:300],
                "collection_object": obj,
                "relation": relation if obj else "",
                "designer": team[index % len(team)].name_zh if obj else "",  # the credit buyers read
                "attributes": attributes,
                "licence": licence if obj and spec["unit"]["operating_mode"] == "ip_licensed" else None,
            },
            variants=[
                {
                    "sku": f"{sku}-A",
                    "name_zh": "标准款",
                    "name_en": "Standard",
                    "price_fen": price_fen,
                    "stock": 50 + index,
                    "weight_g": 200,
                },
                {
                    "sku": f"{sku}-B",
                    "name_zh": "礼盒款",
                    "name_en": "Gift box",
                    "price_fen": price_fen + 2000,
                    "stock": 20,
                    "weight_g": 350,
                },
            ],
            actor=operator,
        )
        ground, ink = spec["palette"]
        for k in range(2 if index % 3 == 0 else 1):
            data = product_picture(seed=index * 3 + k, ground=ground, ink=ink, motif=motif)
            upload = SimpleUploadedFile(f"{uuid.uuid4().hex}.jpg", data, content_type="image/jpeg")
            asset = services.image_asset_create(owner_key=f"unit:{unit.pk}", upload=upload)
            listings.listing_image_add(listing=listing, asset=asset, alt=name_zh, actor=operator)
        listings.listing_submit(listing=listing, actor=operator)
        listings.listing_review(listing=listing, approve=True, reviewer=admin)
        listings.listing_publish(listing=listing, on_sale=True, actor=operator)
        listing.refresh_from_db()
        self.stdout.write(f"  listed {name_zh} ({listing.get_sync_status_display()})")
        return 1
