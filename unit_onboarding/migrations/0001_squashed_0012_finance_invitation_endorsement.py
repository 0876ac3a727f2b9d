"""unit_onboarding: migrations 0001_initial to 0012_finance_invitation_endorsement, squashed (see README, Migrations)."""

import django.contrib.postgres.constraints
import django.db.models.deletion
import unit_onboarding.models
import unit_onboarding.storage
import uuid
from django.conf import settings
from django.db import migrations, models


SQL = r"""
-- 0002_agreement_triggers_and_reviewer_group
-- A version's shares sum to exactly 10,000 bps, checked at commit so a version and its shares
-- can be written in any order within one transaction.
CREATE FUNCTION unit_onboarding_shares_sum_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    vid bigint;
    total bigint;
BEGIN
    IF TG_TABLE_NAME = 'unit_onboarding_agreementversion' THEN
        vid := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        vid := OLD.version_id;
    ELSE
        vid := NEW.version_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM unit_onboarding_agreementversion WHERE id = vid) THEN
        RETURN NULL;  -- the whole (not yet in force) version was deleted
    END IF;
    SELECT COALESCE(SUM(bps), 0) INTO total FROM unit_onboarding_agreementshare WHERE version_id = vid;
    IF total <> 10000 THEN
        RAISE EXCEPTION 'agreement version % shares sum to % bps, not 10000', vid, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER unit_onboarding_shares_sum_on_share
    AFTER INSERT OR UPDATE OR DELETE ON unit_onboarding_agreementshare
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION unit_onboarding_shares_sum_check();

CREATE CONSTRAINT TRIGGER unit_onboarding_shares_sum_on_version
    AFTER INSERT ON unit_onboarding_agreementversion
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION unit_onboarding_shares_sum_check();

-- 0009_agreement_approval
CREATE OR REPLACE FUNCTION unit_onboarding_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    decision text[] := ARRAY['status', 'decided_by_id', 'decided_at', 'decision_note'];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'agreement version % is a record and is never deleted (reject or withdraw it)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF ROW(NEW.*) IS NOT DISTINCT FROM ROW(OLD.*) THEN
        RETURN NEW;
    END IF;
    IF NEW.approved_before_review IS DISTINCT FROM OLD.approved_before_review THEN
        RAISE EXCEPTION 'agreement version %: approved_before_review is set by the migration only', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status = 'proposed' THEN
        IF (to_jsonb(NEW) - decision) IS DISTINCT FROM (to_jsonb(OLD) - decision) THEN
            RAISE EXCEPTION 'agreement version % is proposed: it is approved, rejected or withdrawn, never edited',
                OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        -- an approval never rewrites the terms of sales already made: a later version starts after it
        IF NEW.status = 'approved' AND NEW.effective_from <= now() AND EXISTS (
            SELECT 1 FROM unit_onboarding_agreementversion v
            WHERE v.agreement_id = NEW.agreement_id AND v.status = 'approved' AND v.id <> NEW.id
        ) THEN
            RAISE EXCEPTION 'agreement version % starts at %, which has passed: approving it would rewrite history',
                OLD.id, NEW.effective_from USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status = 'approved' AND OLD.effective_to IS NULL AND NEW.effective_to IS NOT NULL
       AND NEW.effective_to >= now()
       AND (to_jsonb(NEW) - 'effective_to') = (to_jsonb(OLD) - 'effective_to') THEN
        RETURN NEW;  -- closing an approved version's open end where the next one starts
    END IF;
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'agreement version % is in force from % and cannot be changed; propose a new version',
            OLD.id, OLD.effective_from USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION 'agreement version % was % and cannot change', OLD.id, OLD.status
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

-- 0002_agreement_triggers_and_reviewer_group
CREATE TRIGGER unit_onboarding_version_immutable
    BEFORE UPDATE OR DELETE ON unit_onboarding_agreementversion
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_version_immutable();

-- 0009_agreement_approval
-- Shares are what was proposed and approved: written with their version, in its transaction, and
-- never changed or removed afterwards.
CREATE OR REPLACE FUNCTION unit_onboarding_share_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (
            SELECT 1 FROM unit_onboarding_agreementversion
            WHERE id = NEW.version_id AND status = 'proposed' AND created_xid = txid_current()
        ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'shares join agreement version % only when it is proposed', NEW.version_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION 'shares of agreement version % cannot change: a version in force or awaiting approval keeps the shares it was proposed with', OLD.version_id
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

-- 0006_designers
CREATE OR REPLACE FUNCTION unit_onboarding_designer_slug_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.slug IS DISTINCT FROM OLD.slug THEN
        RAISE EXCEPTION 'designer % keeps its identifier %: ledger rows refer to it', OLD.id, OLD.slug
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER unit_onboarding_designer_slug_fixed BEFORE UPDATE ON unit_onboarding_designer
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_designer_slug_fixed();

-- 0008_payee_changes
CREATE FUNCTION unit_onboarding_payee_change_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'payee change % is a record and is never deleted', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'payee change % was decided (%) and cannot change', OLD.id, OLD.status
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(NEW) - ARRAY['status', 'decided_by_id', 'decided_at', 'reason'])
       IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['status', 'decided_by_id', 'decided_at', 'reason']) THEN
        RAISE EXCEPTION 'payee change % can only be decided, not edited', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER unit_onboarding_payee_change_guard BEFORE UPDATE OR DELETE ON unit_onboarding_payeechange
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_payee_change_guard();

-- 0009_agreement_approval
ALTER TABLE unit_onboarding_agreementversion ADD COLUMN created_xid bigint NOT NULL DEFAULT txid_current();

CREATE TRIGGER unit_onboarding_share_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON unit_onboarding_agreementshare
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_share_immutable();
"""


REVERSE_SQL = """
DROP TRIGGER IF EXISTS unit_onboarding_share_immutable ON unit_onboarding_agreementshare;
ALTER TABLE unit_onboarding_agreementversion DROP COLUMN IF EXISTS created_xid;
DROP TRIGGER IF EXISTS unit_onboarding_payee_change_guard ON unit_onboarding_payeechange;
DROP FUNCTION IF EXISTS unit_onboarding_payee_change_guard();
DROP TRIGGER IF EXISTS unit_onboarding_designer_slug_fixed ON unit_onboarding_designer;
DROP FUNCTION IF EXISTS unit_onboarding_designer_slug_fixed();
DROP FUNCTION IF EXISTS unit_onboarding_share_immutable();
DROP TRIGGER IF EXISTS unit_onboarding_version_immutable ON unit_onboarding_agreementversion;
DROP FUNCTION IF EXISTS unit_onboarding_version_immutable();
DROP TRIGGER IF EXISTS unit_onboarding_shares_sum_on_version ON unit_onboarding_agreementversion;
DROP TRIGGER IF EXISTS unit_onboarding_shares_sum_on_share ON unit_onboarding_agreementshare;
DROP FUNCTION IF EXISTS unit_onboarding_shares_sum_check();
"""


# 0002_agreement_triggers_and_reviewer_group
REVIEWERS = "Platform reviewers"


def create_reviewer_group(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the group needs this one now.
    create_permissions(global_apps.get_app_config("unit_onboarding"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=REVIEWERS)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="unit_onboarding", codename="review_application")
    )


def drop_reviewer_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS).delete()


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('unit_onboarding', '0001_initial'),
        ('unit_onboarding', '0002_agreement_triggers_and_reviewer_group'),
        ('unit_onboarding', '0003_one_open_application_per_applicant'),
        ('unit_onboarding', '0004_stripe_connect_onboarding'),
        ('unit_onboarding', '0005_agreement_rules'),
        ('unit_onboarding', '0006_designers'),
        ('unit_onboarding', '0007_unit_payout_details'),
        ('unit_onboarding', '0008_payee_changes'),
        ('unit_onboarding', '0009_agreement_approval'),
        ('unit_onboarding', '0008_invitation'),
        ('unit_onboarding', '0010_merge_0008_invitation_0009_agreement_approval'),
        ('unit_onboarding', '0011_designer_account_claim'),
        ('unit_onboarding', '0012_finance_invitation_endorsement'),
    ]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Agreement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='AgreementVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('number', models.PositiveIntegerField()),
                ('effective_from', models.DateTimeField()),
                ('effective_to', models.DateTimeField(blank=True, null=True)),
                ('fee_rule', models.CharField(choices=[('pro_rata', 'Each party bears the card fee in proportion to its share'), ('platform', 'The platform bears the card fee')], default='pro_rata', max_length=20)),
                ('tax_rule', models.CharField(choices=[('seller_of_record', 'Tax goes to the seller of record'), ('platform', 'Tax goes to the platform')], default='seller_of_record', max_length=20)),
                ('shipping_rule', models.CharField(choices=[('shipping_unit', 'Shipping income goes to the unit that ships'), ('agreement', 'Shipping income is split like goods'), ('platform', 'Shipping income goes to the platform')], default='shipping_unit', max_length=20)),
                ('note', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('proposed', 'Proposed: awaiting approval by platform finance'), ('approved', 'Approved'), ('rejected', 'Rejected by platform finance'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('decision_note', models.TextField(blank=True)),
                ('approved_before_review', models.BooleanField(default=False, help_text='in force before versions needed approval (set by migration only)')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='unit_onboarding.agreement')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['agreement', 'number'],
            },
        ),
        migrations.CreateModel(
            name='AgreementShare',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('unit', 'Unit'), ('operating_entity', 'Operating entity'), ('designer', 'Designer royalty'), ('staff_pool', 'Staff incentive pool'), ('platform', 'Platform')], max_length=20)),
                ('party_key', models.CharField(max_length=100)),
                ('bps', models.PositiveIntegerField()),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shares', to='unit_onboarding.agreementversion')),
            ],
            options={
                'ordering': ['version', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Application',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('in_review', 'In review'), ('changes_requested', 'Changes requested'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='draft', max_length=20)),
                ('language', models.CharField(default='zh-hans', help_text="language of the applicant's mail", max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('applicant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'permissions': [('review_application', 'Can review unit applications (platform reviewer)')],
            },
        ),
        migrations.CreateModel(
            name='ApplicationTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('in_review', 'In review'), ('changes_requested', 'Changes requested'), ('approved', 'Approved'), ('rejected', 'Rejected')], max_length=20)),
                ('to_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('in_review', 'In review'), ('changes_requested', 'Changes requested'), ('approved', 'Approved'), ('rejected', 'Rejected')], max_length=20)),
                ('comment', models.TextField(blank=True)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='unit_onboarding.application')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Designer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=100, unique=True, verbose_name='identifier')),
                ('name_zh', models.CharField(max_length=100, verbose_name='name (Chinese)')),
                ('name_en', models.CharField(blank=True, max_length=100, verbose_name='name (English)')),
                ('settlement_method', models.CharField(choices=[('bank', 'Bank transfer'), ('stripe', 'Stripe')], default='bank', max_length=16, verbose_name='settlement method')),
                ('account_holder', models.CharField(blank=True, help_text='payee name at the bank if not name_zh', max_length=200, verbose_name='account holder')),
                ('bank_name', models.CharField(blank=True, max_length=100, verbose_name='bank name')),
                ('bank_account_encrypted', models.TextField(blank=True, help_text='bank account number (encrypted at rest)')),
                ('stripe_account_id', models.CharField(blank=True, max_length=64, verbose_name='Stripe account id')),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('account', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='designer_registrations', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['unit', 'slug'],
            },
        ),
        migrations.CreateModel(
            name='DesignerClaim',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='email')),
                ('language', models.CharField(default='zh-hans', help_text="language of the invitee's mail", max_length=10)),
                ('nonce', models.CharField(max_length=32)),
                ('created_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('accepted', 'Accepted'), ('revoked', 'Withdrawn')], default='pending', max_length=16)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('designer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='claims', to='unit_onboarding.designer')),
                ('invited_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('business_licence', 'Business licence / legal person certificate'), ('authorisation_letter', 'Authorisation letter'), ('other', 'Other')], max_length=32, verbose_name='document kind')),
                ('file', models.FileField(storage=unit_onboarding.storage.document_storage, upload_to='applications/%Y/%m/')),
                ('original_name', models.CharField(max_length=255)),
                ('content_type', models.CharField(max_length=50)),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='unit_onboarding.application')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='Unit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('legal_name_zh', models.CharField(blank=True, max_length=200, verbose_name='legal name (Chinese)')),
                ('legal_name_en', models.CharField(blank=True, max_length=200, verbose_name='legal name (English)')),
                ('unit_type', models.CharField(blank=True, choices=[('museum', 'Museum'), ('library', 'Library'), ('archive', 'Archive'), ('memorial_hall', 'Memorial hall'), ('art_gallery', 'Art gallery'), ('cultural_centre', 'Cultural centre'), ('other', 'Other')], max_length=32, verbose_name='unit type')),
                ('credit_code', models.CharField(blank=True, max_length=18, verbose_name='unified social credit code')),
                ('province', models.CharField(blank=True, max_length=50, verbose_name='province')),
                ('city', models.CharField(blank=True, max_length=50, verbose_name='city')),
                ('district', models.CharField(blank=True, max_length=50, verbose_name='district')),
                ('street', models.CharField(blank=True, max_length=200, verbose_name='street address')),
                ('postal_code', models.CharField(blank=True, max_length=6, verbose_name='postal code')),
                ('contact_name', models.CharField(blank=True, max_length=100, verbose_name='contact name')),
                ('contact_phone', models.CharField(blank=True, max_length=30, verbose_name='contact phone')),
                ('contact_email', models.EmailField(blank=True, max_length=254, verbose_name='contact email')),
                ('pilot_level', models.CharField(blank=True, choices=[('national', 'National pilot'), ('municipal', 'Municipal pilot'), ('none', 'Not a pilot unit')], max_length=16, verbose_name='pilot level')),
                ('operating_mode', models.CharField(blank=True, choices=[('self_operated', 'Self-operated by the unit'), ('commissioned', 'Operated by a commissioned enterprise'), ('ip_licensed', 'IP licensed to an enterprise'), ('joint_venture', 'Joint venture')], max_length=32, verbose_name='operating mode')),
                ('status', models.CharField(choices=[('applying', 'Applying'), ('active', 'Active'), ('rejected', 'Rejected')], default='applying', max_length=16)),
                ('saleor_warehouse_id', models.CharField(blank=True, max_length=200)),
                ('provisioning', models.CharField(choices=[('not_requested', 'Not requested'), ('pending', 'Pending'), ('failed', 'Failed (will be retried)'), ('done', 'Provisioned')], default='not_requested', max_length=16)),
                ('provisioning_attempts', models.PositiveIntegerField(default=0)),
                ('provisioning_error', models.TextField(blank=True)),
                ('provisioning_requested_at', models.DateTimeField(blank=True, null=True)),
                ('provisioning_attempted_at', models.DateTimeField(blank=True, null=True)),
                ('provisioned_at', models.DateTimeField(blank=True, null=True)),
                ('display_name', models.CharField(blank=True, max_length=100, verbose_name='display name')),
                ('logo', models.FileField(blank=True, storage=unit_onboarding.storage.public_storage, upload_to='units/logos/', verbose_name='logo')),
                ('banner', models.FileField(blank=True, storage=unit_onboarding.storage.public_storage, upload_to='units/banners/', verbose_name='banner')),
                ('story', models.TextField(blank=True, help_text='sanitised HTML', verbose_name='story')),
                ('opening_hours', models.TextField(blank=True, verbose_name='opening hours')),
                ('payout_account_name', models.CharField(blank=True, max_length=200, verbose_name='account name')),
                ('payout_bank_name', models.CharField(blank=True, max_length=100, verbose_name='bank name')),
                ('payout_bank_account_encrypted', models.TextField(blank=True, help_text="the unit's bank account number (encrypted at rest)")),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(condition=models.Q(('credit_code', ''), _negated=True), fields=('credit_code',), name='unit_credit_code_unique'), models.UniqueConstraint(condition=models.Q(('saleor_warehouse_id', ''), _negated=True), fields=('saleor_warehouse_id',), name='unit_saleor_warehouse_unique')],
            },
        ),
        migrations.CreateModel(
            name='PayeeChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('requested_at', models.DateTimeField()),
                ('kind', models.CharField(choices=[('unit', "The unit's own account"), ('entity', "The operating entity's account"), ('designer', "A designer's account")], max_length=16)),
                ('party', models.CharField(help_text='the ledger party paid to this account', max_length=100)),
                ('settlement_method', models.CharField(choices=[('bank', 'Bank transfer'), ('stripe', 'Stripe')], max_length=16)),
                ('account_name', models.CharField(blank=True, help_text='payee name at the bank', max_length=200)),
                ('bank_name', models.CharField(blank=True, max_length=100)),
                ('bank_account_encrypted', models.TextField(blank=True, help_text='encrypted at rest')),
                ('stripe_account_id', models.CharField(blank=True, max_length=64)),
                ('before', models.JSONField(default=dict, help_text='the details on record when requested (masked)')),
                ('after', models.JSONField(default=dict, help_text='the requested details (masked)')),
                ('base_digest', models.CharField(help_text='keyed digest of the details when requested', max_length=64)),
                ('status', models.CharField(choices=[('pending', 'Awaiting confirmation by platform finance'), ('confirmed', 'Confirmed: in effect'), ('rejected', 'Rejected by platform finance'), ('withdrawn', 'Withdrawn')], default='pending', max_length=16)),
                ('reason', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('designer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='payee_changes', to='unit_onboarding.designer')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payee_changes', to='unit_onboarding.unit')),
            ],
            options={
                'ordering': ['-requested_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='OperatingEntity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('legal_name', models.CharField(blank=True, max_length=200, verbose_name='operating entity legal name')),
                ('credit_code', models.CharField(blank=True, max_length=18, verbose_name='operating entity credit code')),
                ('settlement_method', models.CharField(choices=[('bank', 'Bank transfer'), ('stripe', 'Stripe')], default='bank', max_length=16, verbose_name='settlement method')),
                ('bank_name', models.CharField(blank=True, max_length=100, verbose_name='bank name')),
                ('bank_account_encrypted', models.TextField(blank=True, help_text='bank account number (encrypted at rest)')),
                ('stripe_account_id', models.CharField(blank=True, max_length=64, verbose_name='Stripe account id')),
                ('stripe_account_created_here', models.BooleanField(default=False)),
                ('stripe_onboarding_url', models.URLField(blank=True, max_length=500)),
                ('stripe_onboarding_expires_at', models.DateTimeField(blank=True, null=True)),
                ('unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='operating_entity', to='unit_onboarding.unit')),
            ],
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('email', models.EmailField(max_length=254, verbose_name='email')),
                ('language', models.CharField(default='zh-hans', help_text="language of the invitee's mail", max_length=10)),
                ('nonce', models.CharField(max_length=32)),
                ('created_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('role', models.CharField(choices=[('operator', 'Unit operator'), ('finance', 'Unit finance')], max_length=16, verbose_name='role')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('revoked', 'Withdrawn')], default='pending', max_length=16)),
                ('endorsed_at', models.DateTimeField(blank=True, null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('endorsed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('invited_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='unit_onboarding.unit')),
            ],
        ),
        migrations.AddField(
            model_name='designer',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='designers', to='unit_onboarding.unit'),
        ),
        migrations.AddField(
            model_name='application',
            name='unit',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='application', to='unit_onboarding.unit'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='unit',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='agreement', to='unit_onboarding.unit'),
        ),
        migrations.CreateModel(
            name='UnitMembership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('operator', 'Unit operator'), ('finance', 'Unit finance')], max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='unit_onboarding.unit')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='unit_memberships', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.UniqueConstraint(fields=('agreement', 'number'), name='agreement_version_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gt', models.F('effective_from')), _connector='OR'), name='agreement_version_period_positive'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('status', 'approved')), expressions=[(unit_onboarding.models.PointRange('agreement'), '&&'), (unit_onboarding.models.TsTzRange('effective_from', 'effective_to'), '&&')], name='agreement_version_no_overlap'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'proposed')), fields=('agreement',), name='agreement_version_one_proposed'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), ('approved_before_review', True), models.Q(('decided_by__isnull', False), models.Q(('decided_by', models.F('created_by')), _negated=True)), _connector='OR'), name='agreement_version_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'proposed'), ('approved_before_review', True), ('decided_by__isnull', False), _connector='OR'), name='agreement_version_decided_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='agreementshare',
            constraint=models.UniqueConstraint(fields=('version', 'party_key'), name='agreement_share_party_unique'),
        ),
        migrations.AddConstraint(
            model_name='agreementshare',
            constraint=models.CheckConstraint(condition=models.Q(('bps__gt', 0), ('bps__lte', 10000)), name='agreement_share_bps_range'),
        ),
        migrations.AddConstraint(
            model_name='designerclaim',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('designer',), name='designer_claim_one_pending'),
        ),
        migrations.AddConstraint(
            model_name='payeechange',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('party',), name='payee_change_one_pending'),
        ),
        migrations.AddConstraint(
            model_name='payeechange',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'confirmed'), _negated=True), models.Q(('decided_by__isnull', False), models.Q(('decided_by', models.F('requested_by')), _negated=True)), _connector='OR'), name='payee_change_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='payeechange',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(('decided_at__isnull', False), ('decided_by__isnull', False)), _connector='OR'), name='payee_change_decided_by_someone'),
        ),
        migrations.AddConstraint(
            model_name='payeechange',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('designer__isnull', False), ('kind', 'designer')), models.Q(models.Q(('kind', 'designer'), _negated=True), ('designer__isnull', True)), _connector='OR'), name='payee_change_designer_kind'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('unit', 'email', 'role'), name='invitation_one_pending'),
        ),
        migrations.AddConstraint(
            model_name='application',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['approved', 'rejected']), _negated=True), fields=('applicant',), name='application_one_open_per_applicant'),
        ),
        migrations.AddConstraint(
            model_name='unitmembership',
            constraint=models.UniqueConstraint(fields=('user', 'unit', 'role'), name='unit_membership_unique'),
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
        # 0012_finance_invitation_endorsement: NOT VALID, as on databases migrated before the squash
        migrations.RunSQL(
            sql="ALTER TABLE unit_onboarding_invitation ADD CONSTRAINT invitation_finance_four_eyes CHECK (NOT (role = 'finance') OR NOT (status = 'accepted') OR (endorsed_by_id IS NOT NULL AND endorsed_by_id <> invited_by_id)) NOT VALID",
            reverse_sql='ALTER TABLE unit_onboarding_invitation DROP CONSTRAINT invitation_finance_four_eyes',
            state_operations=[
                migrations.AddConstraint(
                    model_name='invitation',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'finance'), _negated=True), models.Q(('status', 'accepted'), _negated=True), models.Q(('endorsed_by__isnull', False), models.Q(('endorsed_by', models.F('invited_by')), _negated=True)), _connector='OR'), name='invitation_finance_four_eyes'),
                ),
            ],
        ),
        migrations.RunPython(create_reviewer_group, drop_reviewer_group),
    ]
