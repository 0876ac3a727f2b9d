"""Split lines carry when their line's previous posting was, so the drill-down's keyset skips, inside its index,
the postings that cannot start a line in the period.

- payments_splitline.prior_at (not a model field: '-infinity' has no Python datetime; only SQL reads it): the
  posted_at of the posting of the same order line, party and currency just before this one (by posted_at, then
  transaction) among those inserted before it, '-infinity' when there is none or when the posting is not a
  refund's (only refunds are looked up; '-infinity' is always safe: it never skips). A BEFORE INSERT trigger
  sets it, whatever the insert says; split lines never change after (payments_split_immutable) nor go.
- It names a real earlier posting, so a posting whose prior_at is at or after a period's start has an earlier
  posting in that period and is not the line's first there (settlement.order_lines' key). A posting inserted
  out of time order can leave a later posting's prior_at older than its true predecessor: that posting is then
  only checked (order_lines' NOT EXISTS), never wrongly skipped.
- Index (party, currency, posted_at, transaction_id, line_ref, prior_at) replaces payments_split_party_time_idx,
  its prefix: the keyset reads the same order and tests prior_at < start on the index entry, without visiting
  the row (a party's month ending with refunds of lines sold earlier in it: 18,000 refund postings of the
  platform passed over, each probed, on the last page).
- Refunds' lines posted before this migration get it here (the immutability trigger disabled for this UPDATE
  only, inside the migration's transaction, as in 0018); the rest keep the column's constant default.
"""

from django.db import migrations

FORWARD = r"""
-- a constant default: no rewrite of the table; only refunds' postings are then updated
ALTER TABLE payments_splitline ADD COLUMN prior_at timestamptz NOT NULL DEFAULT '-infinity';
ALTER TABLE payments_splitline DISABLE TRIGGER payments_split_immutable;
UPDATE payments_splitline s SET prior_at = COALESCE((
    SELECT max(p.posted_at) FROM payments_splitline p
    WHERE p.order_ref = s.order_ref AND p.line_ref = s.line_ref AND p.party = s.party
      AND p.currency = s.currency AND (p.posted_at, p.transaction_id) < (s.posted_at, s.transaction_id)
), '-infinity')
WHERE s.amount < 0;
ALTER TABLE payments_splitline ENABLE TRIGGER payments_split_immutable;

-- Read along payments_split_order_line_idx (the line's few rows), whatever the statistics when the plan is
-- cached: PL/pgSQL keeps a generic plan per session, and one made while the table was nearly empty (a new
-- database, a bench's first insert) would scan it for every row inserted after (seqscan off), or walk a
-- party's postings on the party's index (its party compared as text, not a key of that index).
CREATE FUNCTION payments_split_prior_at() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    NEW.prior_at := COALESCE((
        SELECT max(p.posted_at) FROM payments_splitline p
        WHERE p.order_ref = NEW.order_ref AND p.line_ref = NEW.line_ref AND p.party || '' = NEW.party
          AND p.currency = NEW.currency
          AND (p.posted_at, p.transaction_id) < (NEW.posted_at, NEW.transaction_id)
    ), '-infinity');
    RETURN NEW;
END $$;
-- Only a refund's posting (a negative share) is looked up: those are what a page passes over (a line sold
-- earlier, refunded in the period). Any other keeps '-infinity', which never skips a posting (the probe then
-- decides), so sales, the bulk of every burst, post without a lookup (it cost 47 us of PostgreSQL per ledger
-- line in bench/ledger.py). A value an insert gives of its own is not trusted: it is looked up too.
CREATE TRIGGER payments_split_prior_at BEFORE INSERT ON payments_splitline
    FOR EACH ROW WHEN (NEW.amount < 0 OR NEW.prior_at <> '-infinity')
    EXECUTE FUNCTION payments_split_prior_at();

DROP INDEX payments_split_party_time_idx;
CREATE INDEX payments_split_party_prior_idx
    ON payments_splitline (party, currency, posted_at, transaction_id, line_ref, prior_at);
"""

BACKWARD = r"""
DROP INDEX payments_split_party_prior_idx;
CREATE INDEX payments_split_party_time_idx
    ON payments_splitline (party, currency, posted_at, transaction_id, line_ref);
DROP TRIGGER payments_split_prior_at ON payments_splitline;
DROP FUNCTION payments_split_prior_at();
ALTER TABLE payments_splitline DROP COLUMN prior_at;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0021_exact_sum_aggregate"),
    ]

    operations = [
        migrations.RunSQL(
            FORWARD,
            BACKWARD,
            state_operations=[
                migrations.RemoveIndex(model_name="splitline", name="payments_split_party_time_idx"),
            ],
        ),
    ]
