"""PostgreSQL guards of the ledger: balanced transactions, append-only entries, no late entries."""

from django.db import migrations

FORWARD = r"""
-- The top-level transaction that created each ledger transaction: entries may only join it there.
ALTER TABLE payments_ledgertransaction ADD COLUMN created_xid bigint NOT NULL DEFAULT txid_current();

CREATE FUNCTION payments_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % refused (post a reversing transaction instead)',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;

CREATE TRIGGER payments_entry_immutable BEFORE UPDATE OR DELETE ON payments_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();
CREATE TRIGGER payments_txn_immutable BEFORE UPDATE OR DELETE ON payments_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();
CREATE TRIGGER payments_split_immutable BEFORE UPDATE OR DELETE ON payments_splitline
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();

-- A committed transaction is closed: a balanced pair added to it later would pass the balance check,
-- so rows may only reference a ledger transaction that exists and was created by the current database
-- transaction. Checked once per statement over all its rows (this also stands in for a per-row FK).
CREATE FUNCTION payments_rows_join_own_txn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM new_rows n LEFT JOIN payments_ledgertransaction t ON t.id = n.transaction_id
        WHERE t.id IS NULL OR t.created_xid <> txid_current()
    ) THEN
        RAISE EXCEPTION 'rows of % may only be added with their ledger transaction', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER payments_entry_own_txn AFTER INSERT ON payments_ledgerentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_rows_join_own_txn();
CREATE TRIGGER payments_split_own_txn AFTER INSERT ON payments_splitline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_rows_join_own_txn();

-- Checked at commit: a ledger transaction balances in every currency. (A single entry can never
-- balance, entries are non-zero; a transaction without entries records a free order's zero split.)
CREATE FUNCTION payments_txn_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT currency, sum(amount) AS total INTO bad FROM payments_ledgerentry
        WHERE transaction_id = NEW.id GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % (%) does not balance in %: debits minus credits = %',
            NEW.id, NEW.idempotency_key, bad.currency, bad.total USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER payments_txn_balanced AFTER INSERT ON payments_ledgertransaction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_txn_balanced();
"""

BACKWARD = r"""
DROP TRIGGER payments_txn_balanced ON payments_ledgertransaction;
DROP TRIGGER payments_split_own_txn ON payments_splitline;
DROP TRIGGER payments_entry_own_txn ON payments_ledgerentry;
DROP TRIGGER payments_split_immutable ON payments_splitline;
DROP TRIGGER payments_txn_immutable ON payments_ledgertransaction;
DROP TRIGGER payments_entry_immutable ON payments_ledgerentry;
DROP FUNCTION payments_txn_balanced();
DROP FUNCTION payments_rows_join_own_txn();
DROP FUNCTION payments_forbid_change();
ALTER TABLE payments_ledgertransaction DROP COLUMN created_xid;
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
