# The batch guard lets the execution request's columns move with the workflow (0008 froze the rest).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

WORKFLOW = ["status", "approved_by_id", "approved_at", "executed_by_id", "executed_at", "paid_marked_by_id",
            "paid_at", "ledger_transaction_id"]
EXECUTION = ["execution_requested_by_id", "execution_requested_at", "execution_error"]
GUARD = """
CREATE OR REPLACE FUNCTION payments_settlement_batch_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    workflow text[] := WORKFLOW_COLUMNS;
    other record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'settlement batch % is never deleted (reject it instead)', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF (to_jsonb(NEW) - workflow) IS DISTINCT FROM (to_jsonb(OLD) - workflow) THEN
            RAISE EXCEPTION 'settlement batch % cannot change what it pays or to whom (reject it and propose again)',
                OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('settlement:' || NEW.party || ':' || NEW.currency));
    SELECT id, period_start, period_end INTO other FROM payments_settlementbatch
    WHERE party = NEW.party AND currency = NEW.currency AND status <> 'rejected'
      AND daterange(period_start, period_end) && daterange(NEW.period_start, NEW.period_end)
      AND (period_start, period_end) <> (NEW.period_start, NEW.period_end)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'settlement period % .. % of % overlaps batch % (% .. %)', NEW.period_start,
            NEW.period_end, NEW.party, other.id, other.period_start, other.period_end
            USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END $$;
"""


def _guard(columns):
    return GUARD.replace("WORKFLOW_COLUMNS", "ARRAY[" + ", ".join(f"'{c}'" for c in columns) + "]")



class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0012_alter_account_kind_alter_ledgertransaction_kind'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='settlementbatch',
            name='execution_error',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='settlementbatch',
            name='execution_requested_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='settlementbatch',
            name='execution_requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='settlementbatch',
            constraint=models.CheckConstraint(condition=models.Q(('execution_requested_by__isnull', True), models.Q(('execution_requested_by', models.F('approved_by')), _negated=True), _connector='OR'), name='settlement_batch_four_eyes_request'),
        ),
        migrations.RunSQL(_guard(WORKFLOW + EXECUTION), _guard(WORKFLOW)),
    ]
