"""orders: migrations 0001_initial to 0006_parcel_refund_buyer, squashed (see README, Migrations)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('orders', '0001_initial'),
        ('orders', '0002_shipment_mail'),
        ('orders', '0003_parcel_refund'),
        ('orders', '0004_line_discounts'),
        ('orders', '0005_new_order_mail'),
        ('orders', '0006_parcel_refund_buyer'),
    ]

    dependencies = [
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('saleor_id', models.CharField(max_length=200, unique=True)),
                ('number', models.CharField(blank=True, max_length=32)),
                ('status', models.CharField(help_text='Saleor OrderStatus', max_length=32)),
                ('charge_status', models.CharField(blank=True, help_text='Saleor OrderChargeStatusEnum', max_length=32)),
                ('currency', models.CharField(max_length=3)),
                ('total', models.BigIntegerField(help_text='gross total in minor units')),
                ('shipping', models.BigIntegerField(default=0, help_text='gross shipping in minor units')),
                ('shipping_address', models.JSONField(blank=True, default=dict)),
                ('customer_email', models.CharField(blank=True, max_length=254)),
                ('created_in_saleor', models.DateTimeField(blank=True, null=True)),
                ('saleor_updated_at', models.DateTimeField(help_text="Saleor's updatedAt of the projected state")),
                ('projected_at', models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name='Fulfilment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('saleor_id', models.CharField(max_length=200, unique=True)),
                ('status', models.CharField(max_length=32)),
                ('tracking_number', models.CharField(blank=True, max_length=255)),
                ('carrier', models.CharField(blank=True, help_text="as entered by the unit's operator", max_length=100)),
                ('unit', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='fulfilments', to='unit_onboarding.unit')),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fulfilments', to='orders.order')),
            ],
        ),
        migrations.CreateModel(
            name='ShipmentMail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('items', models.JSONField(default=list, help_text='[[product, variant, quantity], ...] of this parcel')),
                ('language', models.CharField(default='zh-hans', max_length=16)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('fulfilment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='shipment_mail', to='orders.fulfilment')),
            ],
        ),
        migrations.CreateModel(
            name='NewOrderMail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='new_order_mails', to='unit_onboarding.unit')),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='new_order_mails', to='orders.order')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('order', 'unit'), name='orders_new_order_mail_once')],
            },
        ),
        migrations.CreateModel(
            name='OrderLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('saleor_id', models.CharField(max_length=200, unique=True)),
                ('warehouse_id', models.CharField(blank=True, help_text='Saleor warehouse of its allocation', max_length=200)),
                ('product_name', models.CharField(max_length=250)),
                ('variant_name', models.CharField(blank=True, max_length=250)),
                ('sku', models.CharField(blank=True, max_length=255)),
                ('quantity', models.PositiveIntegerField()),
                ('quantity_fulfilled', models.PositiveIntegerField(default=0)),
                ('undiscounted_total', models.BigIntegerField(help_text='gross, before discounts, minor units')),
                ('total_net', models.BigIntegerField(help_text='after discounts, before tax, minor units')),
                ('total_tax', models.BigIntegerField(default=0)),
                ('currency', models.CharField(max_length=3)),
                ('discounts', models.JSONField(blank=True, default=list, help_text='[{key, type, name, amount}]: each Saleor discount and what it took off the net (fen)')),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='orders.order')),
                ('unit', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='order_lines', to='unit_onboarding.unit')),
            ],
            options={
                'indexes': [models.Index(fields=['unit', 'order'], name='orders_line_unit_order_idx')],
            },
        ),
        migrations.CreateModel(
            name='ParcelRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('requested_at', models.DateTimeField()),
                ('lines', models.JSONField(default=list, help_text="[[order line pk, quantity], ...] of this unit's lines")),
                ('shipping', models.BooleanField(default=False, help_text="the unit's parcel shipping, as paid")),
                ('amount', models.BigIntegerField(help_text="gross, minor units: the lines' part plus the parcel's shipping")),
                ('shipping_amount', models.BigIntegerField(default=0, help_text="gross, minor units: the parcel's shipping part of `amount` (0 without shipping)")),
                ('currency', models.CharField(max_length=3)),
                ('reason', models.TextField()),
                ('order_seen_at', models.DateTimeField(help_text="the order's Saleor updatedAt when asked: stale after")),
                ('status', models.CharField(choices=[('requested', 'Waiting for approval'), ('refunding', 'Approved, refund requested in Saleor'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn'), ('failed', 'Saleor refused it'), ('refunded', 'Refunded')], default='requested', max_length=16)),
                ('decision_note', models.TextField(blank=True)),
                ('saleor_granted_refund_id', models.CharField(blank=True, max_length=200, null=True, unique=True)),
                ('last_error', models.TextField(blank=True)),
                ('refunded_at', models.DateTimeField(blank=True, help_text='when Saleor recorded it paid back', null=True)),
                ('buyer_mailed_at', models.DateTimeField(blank=True, help_text="the buyer's mail, sent once", null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='parcel_refunds', to='orders.order')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='parcel_refunds', to='unit_onboarding.unit')),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='parcel_refund_amount_positive'), models.CheckConstraint(condition=models.Q(('shipping_amount__gte', 0), ('shipping_amount__lte', models.F('amount'))), name='parcel_refund_shipping_within_amount'), models.CheckConstraint(condition=models.Q(('decided_by__isnull', True), models.Q(('decided_by', models.F('requested_by')), _negated=True), _connector='OR'), name='parcel_refund_decided_by_another')],
            },
        ),
    ]
