"""Entries' accounts checked once per INSERT statement instead of once per row: same guarantees, less work.

- The entries' foreign key to payments_account was a deferred per-row check (one SELECT ... FOR KEY SHARE
  per entry at commit: most of a batch's commit time). It is replaced by the entries' statement trigger,
  which now also refuses an entry whose account does not exist, over the statement's distinct accounts.
- What the foreign key's lock also gave (an account cannot be deleted while an entry refers to it) is kept
  by making accounts append-only like the rest of the ledger: an account is never updated nor deleted.
- The own-transaction check of entries and split lines looks up each distinct transaction once per
  statement, not once per row.
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = r"""
CREATE OR REPLACE FUNCTION payments_rows_join_own_txn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_rows) n
        LEFT JOIN payments_ledgertransaction t ON t.id = n.transaction_id
        WHERE t.id IS NULL OR t.created_xid <> txid_current()
    ) THEN
        RAISE EXCEPTION 'rows of % may only be added with their ledger transaction', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION payments_entries_checked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    IF EXISTS (
        SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_rows) n
        LEFT JOIN payments_ledgertransaction t ON t.id = n.transaction_id
        WHERE t.id IS NULL OR t.created_xid <> txid_current()
    ) THEN
        RAISE EXCEPTION 'rows of % may only be added with their ledger transaction', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT n.account_id INTO missing FROM (SELECT DISTINCT account_id FROM new_rows) n
        LEFT JOIN payments_account a ON a.id = n.account_id
        WHERE a.id IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger entry refers to account %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER payments_entry_own_txn ON payments_ledgerentry;
CREATE TRIGGER payments_entry_own_txn AFTER INSERT ON payments_ledgerentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_entries_checked();

CREATE TRIGGER payments_account_immutable BEFORE UPDATE OR DELETE ON payments_account
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();
"""

BACKWARD = r"""
DROP TRIGGER payments_account_immutable ON payments_account;
DROP TRIGGER payments_entry_own_txn ON payments_ledgerentry;
CREATE TRIGGER payments_entry_own_txn AFTER INSERT ON payments_ledgerentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_rows_join_own_txn();
DROP FUNCTION payments_entries_checked();

CREATE OR REPLACE FUNCTION payments_rows_join_own_txn() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0015_closed_period_balances")]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="payments.account",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
