"""promotions: migrations 0001_initial to 0002_platform_campaigns, squashed (see README, Migrations)."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('promotions', '0001_unit_promotions'),
        ('promotions', '0002_platform_campaigns'),
    ]

    dependencies = [
        ('catalog', '0001_squashed_0010_import_listing_ids'),
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PlatformCampaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('proposed_at', models.DateTimeField()),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('reward', models.CharField(choices=[('percentage', 'Percentage off'), ('fixed', 'Amount off each item')], max_length=16)),
                ('value', models.PositiveIntegerField(help_text='percent (1-90), or fen off each item')),
                ('combinable', models.BooleanField(default=False, help_text="may a unit's own sale or voucher run on a product opted in")),
                ('funder', models.CharField(choices=[('platform', 'The platform funds the discount'), ('unit', 'The unit funds the discount'), ('split', 'Platform and unit share the discount')], max_length=16)),
                ('platform_bps', models.PositiveIntegerField(help_text="the platform's part of the discount, in bps")),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('proposed', 'Proposed: awaiting a second member of platform finance'), ('creating', 'Approved: being created in the shop'), ('live', 'Approved and created in the shop'), ('failed', 'Approved, but the shop refused it'), ('rejected', 'Rejected by platform finance')], default='proposed', max_length=16)),
                ('saleor_id', models.CharField(blank=True, max_length=200)),
                ('funding_key', models.CharField(blank=True, help_text='its Saleor promotion ID', max_length=200)),
                ('last_error', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='CampaignOptIn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('product_id', models.CharField(max_length=200)),
                ('saleor_rule_id', models.CharField(max_length=200)),
                ('opted_at', models.DateTimeField()),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaign_opt_ins', to='catalog.listing')),
                ('opted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaign_opt_ins', to='unit_onboarding.unit')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='opt_ins', to='promotions.platformcampaign')),
            ],
        ),
        migrations.CreateModel(
            name='UnitPromotion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('proposed_at', models.DateTimeField()),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('kind', models.CharField(choices=[('sale', 'Sale (price reduced on the products)'), ('voucher', 'Voucher (a code the buyer enters)')], max_length=16)),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('product_ids', models.JSONField(default=list)),
                ('reward', models.CharField(choices=[('percentage', 'Percentage off'), ('fixed', 'Amount off each item')], max_length=16)),
                ('value', models.PositiveIntegerField(help_text='percent (1-90), or fen off each item')),
                ('code', models.CharField(blank=True, max_length=64, verbose_name='voucher code')),
                ('usage_limit', models.PositiveIntegerField(blank=True, help_text="a voucher's uses", null=True)),
                ('budget_fen', models.PositiveBigIntegerField(help_text='the most the unit spends on it, fen')),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('proposed', "Proposed: awaiting the unit's finance"), ('creating', 'Approved: being created in the shop'), ('created', 'Approved and created in the shop'), ('failed', 'Approved, but the shop refused it'), ('ended', 'Ended early: its budget is spent'), ('rejected', "Rejected by the unit's finance"), ('withdrawn', 'Withdrawn')], default='proposed', max_length=16)),
                ('note', models.TextField(blank=True)),
                ('saleor_id', models.CharField(blank=True, max_length=200)),
                ('funding_key', models.CharField(blank=True, help_text='the key its order-line discounts carry (promotion ID or code)', max_length=200)),
                ('last_error', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('listings', models.ManyToManyField(related_name='promotions', to='catalog.listing')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='promotions', to='unit_onboarding.unit')),
            ],
        ),
        migrations.AddConstraint(
            model_name='platformcampaign',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['creating', 'live', 'failed', 'rejected']), _negated=True), models.Q(('decided_at__isnull', False), ('decided_by__isnull', False), models.Q(('decided_by', models.F('proposed_by')), _negated=True)), _connector='OR'), name='platform_campaign_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='platformcampaign',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='platform_campaign_dates'),
        ),
        migrations.AddConstraint(
            model_name='platformcampaign',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('funder', 'platform'), ('platform_bps', 10000)), models.Q(('funder', 'unit'), ('platform_bps', 0)), models.Q(('funder', 'split'), ('platform_bps__gt', 0), ('platform_bps__lt', 10000)), _connector='OR'), name='platform_campaign_bps_fit_funder'),
        ),
        migrations.AddConstraint(
            model_name='campaignoptin',
            constraint=models.UniqueConstraint(fields=('campaign', 'listing'), name='campaign_opt_in_once'),
        ),
        migrations.AddConstraint(
            model_name='unitpromotion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['creating', 'created', 'failed', 'rejected', 'ended']), _negated=True), models.Q(('decided_at__isnull', False), ('decided_by__isnull', False), models.Q(('decided_by', models.F('proposed_by')), _negated=True)), _connector='OR'), name='unit_promotion_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='unitpromotion',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='unit_promotion_dates'),
        ),
        migrations.AddConstraint(
            model_name='unitpromotion',
            constraint=models.CheckConstraint(condition=models.Q(('budget_fen__gt', 0)), name='unit_promotion_budget_positive'),
        ),
        migrations.AddConstraint(
            model_name='unitpromotion',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'sale'), models.Q(models.Q(('code', ''), _negated=True), ('usage_limit__gt', 0)), _connector='OR'), name='unit_promotion_voucher_code_and_limit'),
        ),
    ]
