"""Split lines carry their ledger transaction's posted_at, so a party's lines of a period are one index range.

- payments_splitline.posted_at: the posting's instant, copied from its ledger transaction when the line is
  inserted; PostgreSQL checks at each insert statement that it is exactly the transaction's (with the check
  that the transaction is the inserting database transaction's own), and split lines never change after.
- Lines posted before this migration get it here (the one time split lines are written after their insert:
  the immutability trigger is disabled for this UPDATE only, inside the migration's transaction).
- Index (party, currency, posted_at, transaction_id, line_ref): the order-line drill-down reads a page of a
  party's lines in its keyset order from the cursor, whatever the party's size (settlement.order_lines);
  it replaces payments_split_party_idx (party, currency), its prefix.
"""

from django.db import migrations, models

FORWARD = r"""
ALTER TABLE payments_splitline DISABLE TRIGGER payments_split_immutable;
UPDATE payments_splitline s SET posted_at = t.posted_at
    FROM payments_ledgertransaction t WHERE t.id = s.transaction_id;
ALTER TABLE payments_splitline ENABLE TRIGGER payments_split_immutable;
ALTER TABLE payments_splitline ALTER COLUMN posted_at SET NOT NULL;

-- Split lines: of the inserting database transaction's own ledger transactions, and dated as they are.
CREATE FUNCTION payments_split_rows_own_txn() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- each distinct (transaction, date) of the statement once, as the entries' check (0016) does
    SELECT t.id IS NOT NULL AND t.created_xid = txid_current() AS own INTO bad
        FROM (SELECT DISTINCT transaction_id, posted_at FROM new_rows) n
        LEFT JOIN payments_ledgertransaction t ON t.id = n.transaction_id
        WHERE t.id IS NULL OR t.created_xid <> txid_current() OR n.posted_at IS DISTINCT FROM t.posted_at
        ORDER BY 1 LIMIT 1;
    IF FOUND AND NOT bad.own THEN
        RAISE EXCEPTION 'rows of % may only be added with their ledger transaction', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'a split line is dated as its ledger transaction' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER payments_split_own_txn ON payments_splitline;
CREATE TRIGGER payments_split_own_txn AFTER INSERT ON payments_splitline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_split_rows_own_txn();
"""

BACKWARD = r"""
DROP TRIGGER payments_split_own_txn ON payments_splitline;
CREATE TRIGGER payments_split_own_txn AFTER INSERT ON payments_splitline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_rows_join_own_txn();
DROP FUNCTION payments_split_rows_own_txn();
ALTER TABLE payments_splitline ALTER COLUMN posted_at DROP NOT NULL;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0017_statement_exports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddField(
                    model_name="splitline",
                    name="posted_at",
                    field=models.DateTimeField(null=True),
                ),
            ],
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="splitline",
                    name="posted_at",
                    field=models.DateTimeField(
                        help_text="its ledger transaction's posted_at (checked at insert)"
                    ),
                    preserve_default=False,
                ),
            ],
        ),
        migrations.RemoveIndex(
            model_name="splitline",
            name="payments_split_party_idx",
        ),
        migrations.AddIndex(
            model_name="splitline",
            index=models.Index(
                fields=["party", "currency", "posted_at", "transaction", "line_ref"],
                name="payments_split_party_time_idx",
            ),
        ),
    ]
