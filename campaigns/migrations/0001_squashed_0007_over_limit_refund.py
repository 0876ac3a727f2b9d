"""campaigns: migrations 0001_initial to 0007_over_limit_refund, squashed (see README, Migrations)."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


SQL = r"""
-- 0002_money_terms_fixed
CREATE FUNCTION campaigns_money_terms_fixed() RETURNS trigger AS $$
BEGIN
    IF OLD.state NOT IN ('draft', 'in_review') AND (
        NEW.goal_kind IS DISTINCT FROM OLD.goal_kind OR NEW.goal_amount IS DISTINCT FROM OLD.goal_amount
        OR NEW.goal_backers IS DISTINCT FROM OLD.goal_backers OR NEW.starts_at IS DISTINCT FROM OLD.starts_at
        OR NEW.ends_at IS DISTINCT FROM OLD.ends_at OR NEW.currency IS DISTINCT FROM OLD.currency
        OR NEW.listing_id IS DISTINCT FROM OLD.listing_id
        OR NEW.estimated_delivery IS DISTINCT FROM OLD.estimated_delivery
    ) THEN
        RAISE EXCEPTION 'campaign % is launched: its money terms are fixed', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'campaign_money_terms_fixed';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER campaign_money_terms_fixed BEFORE UPDATE ON campaigns_campaign
    FOR EACH ROW EXECUTE FUNCTION campaigns_money_terms_fixed();

CREATE FUNCTION campaigns_tier_terms_fixed() RETURNS trigger AS $$
DECLARE
    st text;
BEGIN
    SELECT state INTO st FROM campaigns_campaign
        WHERE id = COALESCE(NEW.campaign_id, OLD.campaign_id);
    IF st IS NOT NULL AND st NOT IN ('draft', 'in_review') AND (
        TG_OP <> 'UPDATE' OR NEW.price_fen IS DISTINCT FROM OLD.price_fen
        OR NEW."limit" IS DISTINCT FROM OLD."limit" OR NEW.variant_id IS DISTINCT FROM OLD.variant_id
        OR NEW.sku IS DISTINCT FROM OLD.sku
    ) THEN
        RAISE EXCEPTION 'campaign % is launched: its tiers are fixed', st
            USING ERRCODE = 'check_violation', CONSTRAINT = 'campaign_tier_terms_fixed';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$ LANGUAGE plpgsql;

CREATE TRIGGER campaign_tier_terms_fixed BEFORE INSERT OR UPDATE OR DELETE ON campaigns_tier
    FOR EACH ROW EXECUTE FUNCTION campaigns_tier_terms_fixed();
"""


REVERSE_SQL = """
DROP TRIGGER IF EXISTS campaign_tier_terms_fixed ON campaigns_tier;
DROP FUNCTION IF EXISTS campaigns_tier_terms_fixed();
DROP TRIGGER IF EXISTS campaign_money_terms_fixed ON campaigns_campaign;
DROP FUNCTION IF EXISTS campaigns_money_terms_fixed();
"""


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('campaigns', '0001_initial'),
        ('campaigns', '0002_money_terms_fixed'),
        ('campaigns', '0003_cancellation'),
        ('campaigns', '0004_backer_refund'),
        ('campaigns', '0005_backer_mail'),
        ('campaigns', '0006_reservation_expiry'),
        ('campaigns', '0007_over_limit_refund'),
    ]

    dependencies = [
        ('catalog', '0001_squashed_0010_import_listing_ids'),
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Campaign',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('live', 'Live'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='draft', max_length=16)),
                ('title_zh', models.CharField(max_length=200, verbose_name='title (Chinese)')),
                ('title_en', models.CharField(blank=True, max_length=200, verbose_name='title (English)')),
                ('story_zh', models.TextField(blank=True, verbose_name='story (Chinese)')),
                ('story_en', models.TextField(blank=True, verbose_name='story (English)')),
                ('goal_kind', models.CharField(choices=[('amount', 'An amount raised'), ('backers', 'A number of backers')], default='amount', max_length=8, verbose_name='goal')),
                ('goal_amount', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='goal (fen)')),
                ('goal_backers', models.PositiveIntegerField(blank=True, null=True, verbose_name='goal (backers)')),
                ('currency', models.CharField(default='CNY', max_length=3)),
                ('starts_at', models.DateTimeField(verbose_name='starts')),
                ('ends_at', models.DateTimeField(verbose_name='ends')),
                ('estimated_delivery', models.DateField(verbose_name='estimated delivery')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('submitted_at', models.DateTimeField(blank=True, null=True)),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('review_note', models.TextField(blank=True)),
                ('decided_at', models.DateTimeField(blank=True, help_text='when it succeeded or failed', null=True)),
                ('raised_at_decision', models.BigIntegerField(blank=True, null=True)),
                ('backers_at_decision', models.PositiveIntegerField(blank=True, null=True)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='catalog.listing')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='unit_onboarding.unit')),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='BackerRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('order_ref', models.CharField(max_length=100)),
                ('reason', models.TextField(blank=True)),
                ('amount', models.BigIntegerField(help_text="fen left on the order's tier lines of the campaign when asked")),
                ('currency', models.CharField(max_length=3)),
                ('status', models.CharField(choices=[('requested', 'Asked by the backer'), ('refunding', 'Approved, refund requested in Saleor'), ('refused', 'Refused'), ('failed', 'Saleor refused it')], default='requested', max_length=16)),
                ('requested_at', models.DateTimeField()),
                ('decision_note', models.TextField(blank=True)),
                ('saleor_granted_refund_id', models.CharField(blank=True, max_length=200)),
                ('last_error', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='backer_refunds', to='campaigns.campaign')),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='BackerMail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_ref', models.CharField(max_length=100)),
                ('outcome', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('live', 'Live'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], max_length=16)),
                ('created_at', models.DateTimeField()),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='backer_mails', to='campaigns.campaign')),
            ],
        ),
        migrations.CreateModel(
            name='CampaignCancellation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('requested_at', models.DateTimeField()),
                ('reason', models.TextField(verbose_name='reason')),
                ('campaign_seen', models.CharField(help_text="the campaign's state and backings when asked", max_length=200)),
                ('status', models.CharField(choices=[('requested', 'Waiting for confirmation'), ('confirmed', 'Confirmed: cancelled, backers refunded'), ('refused', 'Refused')], default='requested', max_length=16)),
                ('decision_note', models.TextField(blank=True)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cancellations', to='campaigns.campaign')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='CampaignRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('outcome', 'The campaign failed or was cancelled: in full'), ('over_limit', 'Paid after the tier sold out: the items beyond its limit')], default='outcome', max_length=16)),
                ('order_ref', models.CharField(max_length=100)),
                ('lines', models.JSONField(blank=True, default=list, help_text='over the limit: [[Saleor order line id, items]] refunded')),
                ('quantity', models.PositiveIntegerField(default=0, help_text='over the limit: the items refunded')),
                ('mailed_at', models.DateTimeField(blank=True, help_text='over the limit: the buyer was told', null=True)),
                ('amount', models.BigIntegerField()),
                ('currency', models.CharField(max_length=3)),
                ('status', models.CharField(choices=[('pending', 'Waiting'), ('requested', 'Requested from Saleor'), ('failed', 'Failed (will be retried)')], default='pending', max_length=16)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('saleor_granted_refund_id', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField()),
                ('attempted_at', models.DateTimeField(blank=True, null=True)),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refunds', to='campaigns.campaign')),
            ],
        ),
        migrations.CreateModel(
            name='CampaignUpdate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body_zh', models.TextField(verbose_name='update (Chinese)')),
                ('body_en', models.TextField(blank=True, verbose_name='update (English)')),
                ('posted_at', models.DateTimeField()),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='updates', to='campaigns.campaign')),
                ('posted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-posted_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Tier',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sku', models.CharField(max_length=64)),
                ('price_fen', models.PositiveIntegerField(verbose_name='price (fen)')),
                ('limit', models.PositiveIntegerField(blank=True, help_text='empty: no limit', null=True, verbose_name='limit')),
                ('reserved', models.PositiveIntegerField(default=0, help_text='items taken by checkouts that went to pay')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tiers', to='campaigns.campaign')),
                ('variant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.listingvariant')),
            ],
            options={
                'ordering': ['campaign', 'price_fen', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Reservation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('checkout_ref', models.CharField(max_length=200)),
                ('quantity', models.PositiveIntegerField()),
                ('created_at', models.DateTimeField(help_text='when the checkout last went to pay (the expiry counts from it)')),
                ('paid_at', models.DateTimeField(blank=True, help_text='its order was paid: never given back', null=True)),
                ('returned_at', models.DateTimeField(blank=True, help_text='abandoned: its items given back', null=True)),
                ('tier', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reservations', to='campaigns.tier')),
            ],
        ),
        migrations.CreateModel(
            name='Pledge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_ref', models.CharField(db_index=True, max_length=100)),
                ('line_ref', models.CharField(max_length=100, unique=True)),
                ('quantity', models.PositiveIntegerField()),
                ('held', models.BigIntegerField(help_text="fen held (the line's net after order discounts)")),
                ('paid', models.BigIntegerField(help_text='fen the backer paid for the line (held plus its tax)')),
                ('currency', models.CharField(max_length=3)),
                ('recipe', models.JSONField(help_text='agreement and royalties in force at payment, frozen')),
                ('paid_at', models.DateTimeField()),
                ('released', models.BigIntegerField(default=0, help_text='fen released to the parties so far')),
                ('tax_held', models.BigIntegerField(default=0, help_text="fen of the line's tax held with it")),
                ('tax_recipe', models.JSONField(default=dict, help_text='who the tax goes to by that agreement, frozen')),
                ('tax_released', models.BooleanField(default=False, help_text='the tax goes whole, at success')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pledges', to='campaigns.campaign')),
                ('tier', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pledges', to='campaigns.tier')),
            ],
            options={
                'ordering': ['paid_at', 'pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='campaign_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('goal_amount__gt', 0), ('goal_kind', 'amount')), models.Q(('goal_backers__gt', 0), ('goal_kind', 'backers')), _connector='OR'), name='campaign_goal_set'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('currency', 'CNY')), name='campaign_currency_cny'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('reviewed_by__isnull', True), models.Q(('reviewed_by', models.F('created_by')), _negated=True), _connector='OR'), name='campaign_reviewer_not_author'),
        ),
        migrations.AddConstraint(
            model_name='backerrefund',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='campaign_backer_refund_positive'),
        ),
        migrations.AddConstraint(
            model_name='backerrefund',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['requested', 'refunding'])), fields=('campaign', 'order_ref'), name='campaign_backer_refund_once'),
        ),
        migrations.AddConstraint(
            model_name='backermail',
            constraint=models.UniqueConstraint(fields=('campaign', 'order_ref', 'outcome'), name='campaign_backer_mail_once'),
        ),
        migrations.AddConstraint(
            model_name='campaigncancellation',
            constraint=models.CheckConstraint(condition=models.Q(('decided_by__isnull', True), models.Q(('decided_by', models.F('requested_by')), _negated=True), _connector='OR'), name='campaign_cancellation_decided_by_another'),
        ),
        migrations.AddConstraint(
            model_name='campaigncancellation',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'requested')), fields=('campaign',), name='campaign_cancellation_one_open'),
        ),
        migrations.AddConstraint(
            model_name='campaignrefund',
            constraint=models.UniqueConstraint(fields=('campaign', 'order_ref', 'kind'), name='campaign_refund_once_per_order_and_kind'),
        ),
        migrations.AddConstraint(
            model_name='campaignrefund',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='campaign_refund_positive'),
        ),
        migrations.AddConstraint(
            model_name='campaignrefund',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'outcome'), ('quantity__gt', 0), _connector='OR'), name='campaign_refund_over_limit_items'),
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.UniqueConstraint(fields=('campaign', 'variant'), name='campaign_tier_variant_uniq'),
        ),
        migrations.AddConstraint(
            model_name='tier',
            constraint=models.CheckConstraint(condition=models.Q(('limit__isnull', True), ('reserved__lte', models.F('limit')), _connector='OR'), name='campaign_tier_not_oversold'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.UniqueConstraint(fields=('tier', 'checkout_ref'), name='campaign_reservation_once'),
        ),
        migrations.AddConstraint(
            model_name='reservation',
            constraint=models.CheckConstraint(condition=models.Q(('paid_at__isnull', True), ('returned_at__isnull', True), _connector='OR'), name='campaign_reservation_paid_never_returned'),
        ),
        migrations.AddConstraint(
            model_name='pledge',
            constraint=models.CheckConstraint(condition=models.Q(('released__gte', 0), ('released__lte', models.F('held'))), name='campaign_pledge_release_range'),
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
    ]
