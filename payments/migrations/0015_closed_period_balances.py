"""Closed periods keep what each account moved in them, so balances need not sum every entry ever posted.

- payments_closedperiodbalance is append-only (the ledger's trigger), and its rows can only be written by
  the database transaction that closes their period (recorded on the period as closed_xid, SQL only).
- At commit of a transaction that closed a period, PostgreSQL checks that the period's rows are exactly
  the sums of the entries dated in it (`payments_period_movements`): none missing, none extra, none wrong.
  A period closed without them cannot commit.
- A period overlapping one already closed cannot close (an entry would be counted in two snapshots).
- Periods closed before this migration get their rows here (there is no overlap check to rely on for
  them, so overlapping closed periods stop the migration).
- An index on the ledger transactions' (posted_at, id): balances read the entries dated outside closed
  periods by range, and the order-line drill-down walks a period in that order (keyset pages).
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = r"""
-- What each account moved in a period: entries of the ledger transactions dated in [start, end).
CREATE FUNCTION payments_period_movements(pid bigint)
RETURNS TABLE (account_id bigint, currency varchar, amount numeric) LANGUAGE sql STABLE AS $$
    SELECT e.account_id, e.currency, sum(e.amount)
    FROM payments_accountingperiod p
    JOIN payments_ledgertransaction t ON t.posted_at >= p.start AND t.posted_at < p."end"
    JOIN payments_ledgerentry e ON e.transaction_id = t.id
    WHERE p.id = pid
    GROUP BY e.account_id, e.currency
$$;

DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM payments_accountingperiod a JOIN payments_accountingperiod b
            ON a.id < b.id AND a.start < b."end" AND b.start < a."end"
        WHERE a.status = 'closed' AND b.status = 'closed'
    ) THEN
        RAISE EXCEPTION 'closed accounting periods overlap: their closing balances would count entries twice';
    END IF;
END $$;

INSERT INTO payments_closedperiodbalance (period_id, account_id, currency, amount)
SELECT p.id, m.account_id, m.currency, m.amount
FROM payments_accountingperiod p CROSS JOIN LATERAL payments_period_movements(p.id) m
WHERE p.status = 'closed';

CREATE TRIGGER payments_closed_balance_immutable BEFORE UPDATE OR DELETE ON payments_closedperiodbalance
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();

-- Rows only by the (top-level) transaction that closes their period: closing records it.
ALTER TABLE payments_accountingperiod ADD COLUMN closed_xid bigint;

CREATE FUNCTION payments_closed_balance_by_closer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    refused bigint;
BEGIN
    SELECT n.period_id INTO refused FROM new_rows n
        LEFT JOIN payments_accountingperiod p ON p.id = n.period_id
        WHERE p.id IS NULL OR p.status <> 'closed' OR p.closed_xid IS DISTINCT FROM txid_current()
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'closing balances of period % may only be written by the transaction that closes it',
            refused USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER payments_closed_balance_by_closer AFTER INSERT ON payments_closedperiodbalance
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_closed_balance_by_closer();

-- A period overlapping a closed one cannot close; closing records the closing transaction.
CREATE FUNCTION payments_period_close_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    other bigint;
BEGIN
    IF NEW.status = 'closed' AND OLD.status <> 'closed' THEN
        SELECT p.id INTO other FROM payments_accountingperiod p
            WHERE p.status = 'closed' AND p.id <> NEW.id AND p.start < NEW."end" AND NEW.start < p."end"
            LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'accounting period % overlaps closed period %', NEW.id, other
                USING ERRCODE = 'restrict_violation';
        END IF;
        NEW.closed_xid := txid_current();
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payments_period_close_no_overlap BEFORE UPDATE ON payments_accountingperiod
    FOR EACH ROW EXECUTE FUNCTION payments_period_close_no_overlap();

-- At commit: a period closed by this transaction holds exactly the sums of its entries.
CREATE FUNCTION payments_period_closed_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    IF NEW.status <> 'closed' OR OLD.status = 'closed' THEN
        RETURN NULL;
    END IF;
    SELECT COALESCE(m.account_id, b.account_id) AS account_id, COALESCE(m.currency, b.currency) AS currency,
           m.amount AS entries, b.amount AS stored INTO bad
        FROM payments_period_movements(NEW.id) m
        FULL OUTER JOIN (SELECT * FROM payments_closedperiodbalance WHERE period_id = NEW.id) b
            ON b.account_id = m.account_id AND b.currency = m.currency
        WHERE m.amount IS DISTINCT FROM b.amount
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'closed period %: account % in % moved % by its entries, its closing balance says %',
            NEW.id, bad.account_id, bad.currency, bad.entries, bad.stored USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER payments_period_closed_balanced AFTER UPDATE ON payments_accountingperiod
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_period_closed_balanced();
"""

BACKWARD = r"""
DROP TRIGGER payments_period_closed_balanced ON payments_accountingperiod;
DROP FUNCTION payments_period_closed_balanced();
DROP TRIGGER payments_period_close_no_overlap ON payments_accountingperiod;
DROP FUNCTION payments_period_close_no_overlap();
DROP TRIGGER payments_closed_balance_by_closer ON payments_closedperiodbalance;
DROP FUNCTION payments_closed_balance_by_closer();
DROP TRIGGER payments_closed_balance_immutable ON payments_closedperiodbalance;
DROP FUNCTION payments_period_movements(bigint);
ALTER TABLE payments_accountingperiod DROP COLUMN closed_xid;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0014_ledger_award_kind'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClosedPeriodBalance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('amount', models.BigIntegerField(help_text='debits minus credits of the account in the period')),
            ],
        ),
        migrations.AddIndex(
            model_name='ledgertransaction',
            index=models.Index(fields=['posted_at', 'id'], name='payments_txn_posted_at_idx'),
        ),
        migrations.AddField(
            model_name='closedperiodbalance',
            name='account',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.account'),
        ),
        migrations.AddField(
            model_name='closedperiodbalance',
            name='period',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='balances', to='payments.accountingperiod'),
        ),
        migrations.AddConstraint(
            model_name='closedperiodbalance',
            constraint=models.UniqueConstraint(fields=('period', 'account', 'currency'), name='payments_closed_balance_uniq'),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
