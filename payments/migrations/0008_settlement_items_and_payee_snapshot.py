"""Batches that prove themselves: each batch's items (the split lines and carried amounts it pays), frozen
at proposal, and the payee account frozen with it; PostgreSQL guards both.

Existing batches get their items from the window rule they were proposed by ((previous cutoff, cutoff]),
a line already in an earlier live batch staying there, and the payee on record now as their snapshot (the
ciphertext is copied: the same keys open it). Their figures are left as they were, even where the old rule
let them disagree: history is not rewritten, and the guards check batches proposed from now on.
"""

import django.db.models.deletion
from django.db import migrations, models

BATCHES = "payments_settlementbatch"
ITEMS = "payments_settlementbatchitem"

BACKFILL_ITEMS = f"""
WITH ordered AS (
    SELECT b.id, b.party, b.currency, b.cutoff, b.lines_from
    FROM {BATCHES} b WHERE b.status <> 'rejected' ORDER BY b.cutoff, b.id
)
SELECT id, party, currency, cutoff, lines_from FROM ordered
"""

LINES_OF_WINDOW = f"""
INSERT INTO {ITEMS} (batch_id, split_line_id, carried_from_id, amount, live)
SELECT %s, s.id, NULL, s.amount - s.fee, true
FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
WHERE s.party = %s AND s.currency = %s AND t.posted_at <= %s
  AND (%s::timestamptz IS NULL OR t.posted_at > %s)
  -- a line already in an earlier live batch stays there (the unique index comes at the migration's end)
  AND NOT EXISTS (SELECT 1 FROM {ITEMS} i WHERE i.split_line_id = s.id AND i.live)
ORDER BY s.id
"""

# The payee each party is paid to, as settlement.selectors.payee_of reads it (name, bank, ciphertext).
SNAPSHOT = f"""
UPDATE {BATCHES} b SET payee_name = p.name, payee_bank_name = p.bank, payee_bank_account_encrypted = p.account
FROM (
    SELECT 'designer:' || d.slug AS party, COALESCE(NULLIF(d.account_holder, ''), d.name_zh) AS name,
           d.bank_name AS bank, d.bank_account_encrypted AS account
    FROM unit_onboarding_designer d
    UNION ALL
    SELECT k.kind || ':' || u.uid::text, u.payout_account_name, u.payout_bank_name, u.payout_bank_account_encrypted
    FROM unit_onboarding_unit u CROSS JOIN (VALUES ('unit'), ('staff_pool')) AS k(kind)
    UNION ALL
    SELECT 'entity:' || e.id::text, e.legal_name, e.bank_name, e.bank_account_encrypted
    FROM unit_onboarding_operatingentity e
) p
WHERE p.party = b.party AND b.status IN ('proposed', 'approved', 'executed')
"""


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL_ITEMS)
        for batch_id, party, currency, cutoff, lines_from in cursor.fetchall():
            cursor.execute(LINES_OF_WINDOW, [batch_id, party, currency, cutoff, lines_from, lines_from])
            cursor.execute(
                f"SELECT b.amount - COALESCE((SELECT sum(i.amount) FROM {ITEMS} i WHERE i.batch_id = b.id), 0)"
                f" FROM {BATCHES} b WHERE b.id = %s",
                [batch_id],
            )
            (carried,) = cursor.fetchone()
            if carried:
                # what the old rule carried in: the last carried batch before it, when that is the amount
                cursor.execute(
                    f"""
                    INSERT INTO {ITEMS} (batch_id, split_line_id, carried_from_id, amount, live)
                    SELECT %s, NULL, c.id, c.amount, true FROM {BATCHES} c
                    WHERE c.party = %s AND c.currency = %s AND c.status = 'carried' AND c.cutoff < %s
                      AND c.amount = %s
                      AND NOT EXISTS (SELECT 1 FROM {ITEMS} i WHERE i.carried_from_id = c.id AND i.live)
                    ORDER BY c.cutoff DESC LIMIT 1
                    """,
                    [batch_id, party, currency, cutoff, carried],
                )
        cursor.execute(SNAPSHOT)


GUARDS = f"""
-- Items join their batch only in the database transaction that proposed it, as lines join a ledger
-- transaction: a batch's membership is what was frozen at proposal.
ALTER TABLE {BATCHES} ADD COLUMN created_xid bigint NOT NULL DEFAULT txid_current();

CREATE FUNCTION payments_settlement_item_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    b record;
    line record;
    carried record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'settlement batch items are never deleted (reject the batch instead)'
            USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT * INTO b FROM {BATCHES} WHERE id = NEW.batch_id;
    IF TG_OP = 'UPDATE' THEN
        -- the only change: releasing the items of a rejected batch
        IF OLD.live AND NOT NEW.live AND b.status = 'rejected'
           AND (to_jsonb(NEW) - 'live') = (to_jsonb(OLD) - 'live') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'settlement batch item % cannot change (only a rejected batch releases its items)',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    IF NOT NEW.live OR b.created_xid <> txid_current() OR b.status NOT IN ('proposed', 'carried') THEN
        RAISE EXCEPTION 'items join settlement batch % only when it is proposed', NEW.batch_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.split_line_id IS NOT NULL THEN
        SELECT s.party, s.currency, s.amount - s.fee AS net, t.posted_at INTO line
        FROM payments_splitline s JOIN payments_ledgertransaction t ON t.id = s.transaction_id
        WHERE s.id = NEW.split_line_id;
        IF line.party IS DISTINCT FROM b.party OR line.currency IS DISTINCT FROM b.currency
           OR line.net IS DISTINCT FROM NEW.amount OR line.posted_at > b.cutoff THEN
            RAISE EXCEPTION 'split line % is not a line of batch % (party, currency, net or cutoff)',
                NEW.split_line_id, NEW.batch_id USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        SELECT * INTO carried FROM {BATCHES} WHERE id = NEW.carried_from_id;
        IF carried.status IS DISTINCT FROM 'carried' OR carried.party <> b.party
           OR carried.currency <> b.currency OR carried.amount <> NEW.amount OR carried.id = b.id THEN
            RAISE EXCEPTION 'batch % does not carry % into batch %', NEW.carried_from_id, NEW.amount,
                NEW.batch_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payments_settlement_item_guard BEFORE INSERT OR UPDATE OR DELETE ON {ITEMS}
    FOR EACH ROW EXECUTE FUNCTION payments_settlement_item_guard();

-- At commit: a new batch's amount is the sum of its items and its lines total the sum of its line
-- items; a rejected batch holds no live item (its lines can be proposed again).
CREATE FUNCTION payments_settlement_batch_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
    lines bigint;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.status = 'rejected' AND EXISTS (SELECT 1 FROM {ITEMS} WHERE batch_id = NEW.id AND live) THEN
            RAISE EXCEPTION 'rejected settlement batch % still holds live items', NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END IF;
    SELECT COALESCE(sum(amount), 0), COALESCE(sum(amount) FILTER (WHERE split_line_id IS NOT NULL), 0)
        INTO total, lines FROM {ITEMS} WHERE batch_id = NEW.id;
    IF total <> NEW.amount OR lines <> NEW.window_total THEN
        RAISE EXCEPTION 'settlement batch % says % (lines %), its items sum to % (lines %)',
            NEW.id, NEW.amount, NEW.window_total, total, lines USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER payments_settlement_batch_sums AFTER INSERT ON {BATCHES}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_settlement_batch_sums();
CREATE CONSTRAINT TRIGGER payments_settlement_batch_released AFTER UPDATE OF status ON {BATCHES}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_settlement_batch_sums();

-- What a batch pays and to whom never changes after proposal: only its workflow columns move.
-- A batch is never deleted. A new batch may not overlap a live batch of the same party and currency
-- for another period (the same period is the unique constraint's business: a run proposes it once).
CREATE FUNCTION payments_settlement_batch_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    workflow text[] := ARRAY['status', 'approved_by_id', 'approved_at', 'executed_by_id', 'executed_at',
                             'paid_marked_by_id', 'paid_at', 'ledger_transaction_id'];
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
    SELECT id, period_start, period_end INTO other FROM {BATCHES}
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

CREATE TRIGGER payments_settlement_batch_guard BEFORE INSERT OR UPDATE OR DELETE ON {BATCHES}
    FOR EACH ROW EXECUTE FUNCTION payments_settlement_batch_guard();
"""

GUARDS_REVERSE = f"""
DROP TRIGGER payments_settlement_batch_guard ON {BATCHES};
DROP TRIGGER payments_settlement_batch_released ON {BATCHES};
DROP TRIGGER payments_settlement_batch_sums ON {BATCHES};
DROP TRIGGER payments_settlement_item_guard ON {ITEMS};
DROP FUNCTION payments_settlement_batch_guard();
DROP FUNCTION payments_settlement_batch_sums();
DROP FUNCTION payments_settlement_item_guard();
ALTER TABLE {BATCHES} DROP COLUMN created_xid;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0007_platform_finance_group"),
        ("unit_onboarding", "0007_unit_payout_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="settlementbatch",
            name="payee_bank_account_encrypted",
            field=models.TextField(blank=True, help_text="encrypted at rest"),
        ),
        migrations.AddField(
            model_name="settlementbatch",
            name="payee_bank_name",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="settlementbatch",
            name="payee_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="settlementbatch",
            name="amount",
            field=models.BigIntegerField(help_text="to pay: every item, its lines plus what was carried in"),
        ),
        migrations.AlterField(
            model_name="settlementbatch",
            name="cutoff",
            field=models.DateTimeField(help_text="lines posted up to here (inclusive) and in no other batch"),
        ),
        migrations.AlterField(
            model_name="settlementbatch",
            name="window_total",
            field=models.BigIntegerField(help_text="net of the batch's split lines (its line items)"),
        ),
        migrations.CreateModel(
            name="SettlementBatchItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "amount",
                    models.BigIntegerField(
                        help_text="the line's net (share less fee borne) or the carried amount"
                    ),
                ),
                ("live", models.BooleanField(default=True, help_text="false once its batch is rejected")),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="payments.settlementbatch",
                    ),
                ),
                (
                    "carried_from",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payments.settlementbatch",
                    ),
                ),
                (
                    "split_line",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payments.splitline",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("split_line__isnull", False), ("carried_from__isnull", True)),
                            models.Q(("split_line__isnull", True), ("carried_from__isnull", False)),
                            _connector="OR",
                        ),
                        name="settlement_item_line_or_carry",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("live", True)),
                        fields=("split_line",),
                        name="settlement_item_line_once",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("live", True)),
                        fields=("carried_from",),
                        name="settlement_item_carry_once",
                    ),
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RemoveField(model_name="settlementbatch", name="lines_from"),
        migrations.RunSQL(GUARDS, GUARDS_REVERSE),
    ]
