"""Ledger guards checked once per batch instead of once per row: same invariants, fewer queries.

- Balance at commit: still a deferred constraint trigger on every ledger transaction (PostgreSQL only
  has row-level constraint triggers), but the first one to fire in a checking round (the COMMIT, or a
  SET CONSTRAINTS ... IMMEDIATE) checks every ledger transaction the current database transaction
  created in one query, found through an index on created_xid; the others of that round find the
  round already checked and return. A later round (more rows after a SET CONSTRAINTS) checks again.
- Closed periods: one check per INSERT statement over its transition table instead of one per row.
"""

from django.db import migrations

FORWARD = r"""
CREATE INDEX payments_txn_created_xid_idx ON payments_ledgertransaction (created_xid);

CREATE OR REPLACE FUNCTION payments_txn_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    round text := txid_current()::text || '@' || statement_timestamp()::text;
    bad record;
BEGIN
    IF current_setting('payments.balance_checked_round', true) = round THEN
        RETURN NULL;  -- this round already checked every transaction this one belongs with
    END IF;
    SELECT t.id, t.idempotency_key, e.currency, sum(e.amount) AS total INTO bad
        FROM payments_ledgertransaction t JOIN payments_ledgerentry e ON e.transaction_id = t.id
        WHERE t.created_xid = txid_current()
        GROUP BY t.id, t.idempotency_key, e.currency HAVING sum(e.amount) <> 0
        ORDER BY t.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % (%) does not balance in %: debits minus credits = %',
            bad.id, bad.idempotency_key, bad.currency, bad.total USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('payments.balance_checked_round', round, true);
    RETURN NULL;
END $$;

DROP TRIGGER payments_txn_open_period ON payments_ledgertransaction;
DROP FUNCTION payments_refuse_closed_period();

CREATE FUNCTION payments_refuse_closed_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    refused timestamptz;
BEGIN
    SELECT n.posted_at INTO refused FROM new_rows n JOIN payments_accountingperiod p
        ON p.status = 'closed' AND n.posted_at >= p.start AND n.posted_at < p."end"
        ORDER BY n.posted_at LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'accounting period containing % is closed: post into an open period',
            refused USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER payments_txn_open_period AFTER INSERT ON payments_ledgertransaction
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_refuse_closed_period();
"""

BACKWARD = r"""
DROP TRIGGER payments_txn_open_period ON payments_ledgertransaction;
DROP FUNCTION payments_refuse_closed_period();

CREATE FUNCTION payments_refuse_closed_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM payments_accountingperiod p
        WHERE p.status = 'closed' AND NEW.posted_at >= p.start AND NEW.posted_at < p."end"
    ) THEN
        RAISE EXCEPTION 'accounting period containing % is closed: post into an open period',
            NEW.posted_at USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payments_txn_open_period BEFORE INSERT ON payments_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION payments_refuse_closed_period();

CREATE OR REPLACE FUNCTION payments_txn_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP INDEX payments_txn_created_xid_idx;
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0009_merge_settlement_items_and_event_redaction")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
