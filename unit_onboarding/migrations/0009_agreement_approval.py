"""Agreement versions take force only once platform finance approves them (four eyes, in the database).

Versions already there were in force (or scheduled) under the old rule: they stay valid, marked approved
(approved_before_review; their column defaults are given only while the columns are added, so no update
runs through the triggers). The triggers now keep proposals and decisions as records, refuse approving a
version whose start has passed unless it is the agreement's first, keep approved terms immutable (their
open end may still be closed at a future instant) and take shares only with their version.
"""

from importlib import import_module

import django.contrib.postgres.constraints
import django.db.models.deletion
import unit_onboarding.models
from django.conf import settings
from django.db import migrations, models

VERSIONS = "unit_onboarding_agreementversion"
SHARES = "unit_onboarding_agreementshare"

# Back to the rules of 0002 and 0005 (shares immutable once in force, versions once started).
TRIGGERS_REVERSE = (
    import_module("unit_onboarding.migrations.0005_agreement_rules").IMMUTABLE_SQL
    + f"""
CREATE OR REPLACE FUNCTION unit_onboarding_share_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {VERSIONS} WHERE id = OLD.version_id AND effective_from <= now()) THEN
        RAISE EXCEPTION 'shares of agreement version % are in force and cannot be changed', OLD.version_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
DROP TRIGGER unit_onboarding_share_immutable ON {SHARES};
CREATE TRIGGER unit_onboarding_share_immutable
    BEFORE UPDATE OR DELETE ON {SHARES}
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_share_immutable();
ALTER TABLE {VERSIONS} DROP COLUMN created_xid;
"""
)

TRIGGERS = f"""
ALTER TABLE {VERSIONS} ADD COLUMN created_xid bigint NOT NULL DEFAULT txid_current();

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
            SELECT 1 FROM {VERSIONS} v
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

-- Shares are what was proposed and approved: written with their version, in its transaction, and
-- never changed or removed afterwards.
CREATE OR REPLACE FUNCTION unit_onboarding_share_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (
            SELECT 1 FROM {VERSIONS}
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

DROP TRIGGER unit_onboarding_share_immutable ON {SHARES};
CREATE TRIGGER unit_onboarding_share_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON {SHARES}
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_share_immutable();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('unit_onboarding', '0008_payee_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='agreementversion',
            name='agreement_version_no_overlap',
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='approved_before_review',
            field=models.BooleanField(default=True, help_text='in force before versions needed approval (set by migration only)'),
        ),
        migrations.AlterField(
            model_name='agreementversion',
            name='approved_before_review',
            field=models.BooleanField(default=False, help_text='in force before versions needed approval (set by migration only)'),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='decision_note',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='status',
            field=models.CharField(choices=[('proposed', 'Proposed: awaiting approval by platform finance'), ('approved', 'Approved'), ('rejected', 'Rejected by platform finance'), ('withdrawn', 'Withdrawn')], default='approved', max_length=16),
        ),
        migrations.AlterField(
            model_name='agreementversion',
            name='status',
            field=models.CharField(choices=[('proposed', 'Proposed: awaiting approval by platform finance'), ('approved', 'Approved'), ('rejected', 'Rejected by platform finance'), ('withdrawn', 'Withdrawn')], default='proposed', max_length=16),
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
        migrations.RunSQL(TRIGGERS, TRIGGERS_REVERSE),
    ]
