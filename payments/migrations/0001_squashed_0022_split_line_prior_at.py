"""payments: migrations 0001_initial to 0022_split_line_prior_at, squashed (see README, Migrations)."""

import django.contrib.postgres.indexes
import django.db.models.deletion
import payments.settlement.models
import uuid
from django.conf import settings
from django.db import migrations, models


SQL = r"""
-- 0002_ledger_guards
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

-- 0010_ledger_checks_per_round
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

-- 0002_ledger_guards
CREATE CONSTRAINT TRIGGER payments_txn_balanced AFTER INSERT ON payments_ledgertransaction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_txn_balanced();

-- 0005_closed_periods
-- A closed period stays closed and keeps its bounds.
CREATE FUNCTION payments_period_stays_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'closed' THEN
        RAISE EXCEPTION 'accounting period % is closed and cannot change', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payments_period_closed_immutable BEFORE UPDATE OR DELETE ON payments_accountingperiod
    FOR EACH ROW EXECUTE FUNCTION payments_period_stays_closed();

CREATE TRIGGER payments_audit_immutable BEFORE UPDATE OR DELETE ON payments_financeauditevent
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();

-- 0008_settlement_items_and_payee_snapshot
-- Items join their batch only in the database transaction that proposed it, as lines join a ledger
-- transaction: a batch's membership is what was frozen at proposal.
ALTER TABLE payments_settlementbatch ADD COLUMN created_xid bigint NOT NULL DEFAULT txid_current();

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
    SELECT * INTO b FROM payments_settlementbatch WHERE id = NEW.batch_id;
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
        SELECT * INTO carried FROM payments_settlementbatch WHERE id = NEW.carried_from_id;
        IF carried.status IS DISTINCT FROM 'carried' OR carried.party <> b.party
           OR carried.currency <> b.currency OR carried.amount <> NEW.amount OR carried.id = b.id THEN
            RAISE EXCEPTION 'batch % does not carry % into batch %', NEW.carried_from_id, NEW.amount,
                NEW.batch_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER payments_settlement_item_guard BEFORE INSERT OR UPDATE OR DELETE ON payments_settlementbatchitem
    FOR EACH ROW EXECUTE FUNCTION payments_settlement_item_guard();

-- At commit: a new batch's amount is the sum of its items and its lines total the sum of its line
-- items; a rejected batch holds no live item (its lines can be proposed again).
CREATE FUNCTION payments_settlement_batch_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
    lines bigint;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.status = 'rejected' AND EXISTS (SELECT 1 FROM payments_settlementbatchitem WHERE batch_id = NEW.id AND live) THEN
            RAISE EXCEPTION 'rejected settlement batch % still holds live items', NEW.id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END IF;
    SELECT COALESCE(sum(amount), 0), COALESCE(sum(amount) FILTER (WHERE split_line_id IS NOT NULL), 0)
        INTO total, lines FROM payments_settlementbatchitem WHERE batch_id = NEW.id;
    IF total <> NEW.amount OR lines <> NEW.window_total THEN
        RAISE EXCEPTION 'settlement batch % says % (lines %), its items sum to % (lines %)',
            NEW.id, NEW.amount, NEW.window_total, total, lines USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER payments_settlement_batch_sums AFTER INSERT ON payments_settlementbatch
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_settlement_batch_sums();

CREATE CONSTRAINT TRIGGER payments_settlement_batch_released AFTER UPDATE OF status ON payments_settlementbatch
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_settlement_batch_sums();

-- 0013_settlement_execution_in_worker
CREATE OR REPLACE FUNCTION payments_settlement_batch_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    workflow text[] := ARRAY['status', 'approved_by_id', 'approved_at', 'executed_by_id', 'executed_at', 'paid_marked_by_id', 'paid_at', 'ledger_transaction_id', 'execution_requested_by_id', 'execution_requested_at', 'execution_error'];
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

-- 0008_settlement_items_and_payee_snapshot
CREATE TRIGGER payments_settlement_batch_guard BEFORE INSERT OR UPDATE OR DELETE ON payments_settlementbatch
    FOR EACH ROW EXECUTE FUNCTION payments_settlement_batch_guard();

-- 0010_ledger_checks_per_round
CREATE INDEX payments_txn_created_xid_idx ON payments_ledgertransaction (created_xid);

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

-- 0015_closed_period_balances
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

-- 0019_closed_period_statements
-- At commit: a period closed by this transaction holds exactly the sums of its entries, and each party's
-- statement movement is what its accounts moved.
CREATE OR REPLACE FUNCTION payments_period_closed_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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
    SELECT COALESCE(m.party, s.party) AS party, COALESCE(m.currency, s.currency) AS currency,
           m.moved, s.movement INTO bad
        FROM (
            SELECT a.party, b.currency, -sum(b.amount) AS moved
            FROM payments_closedperiodbalance b JOIN payments_account a ON a.id = b.account_id
            WHERE b.period_id = NEW.id AND a.kind IN ('party_payable', 'platform_revenue', 'campaign_held')
            GROUP BY a.party, b.currency
        ) m
        FULL OUTER JOIN (
            SELECT * FROM payments_closedperiodstatement WHERE period_id = NEW.id AND entered
        ) s ON s.party = m.party AND s.currency = m.currency
        WHERE m.moved IS DISTINCT FROM s.movement
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'closed period %: party % in % moved % by its accounts, its statement says %',
            NEW.id, bad.party, bad.currency, bad.moved, bad.movement USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

-- 0015_closed_period_balances
CREATE CONSTRAINT TRIGGER payments_period_closed_balanced AFTER UPDATE ON payments_accountingperiod
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION payments_period_closed_balanced();

-- 0016_entry_accounts_checked_per_statement
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

CREATE TRIGGER payments_entry_own_txn AFTER INSERT ON payments_ledgerentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_entries_checked();

CREATE TRIGGER payments_account_immutable BEFORE UPDATE OR DELETE ON payments_account
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();

-- 0018_split_line_posted_at
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

CREATE TRIGGER payments_split_own_txn AFTER INSERT ON payments_splitline
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_split_rows_own_txn();

-- 0019_closed_period_statements
CREATE TRIGGER payments_closed_statement_immutable BEFORE UPDATE OR DELETE ON payments_closedperiodstatement
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();

CREATE TRIGGER payments_closed_statement_by_closer AFTER INSERT ON payments_closedperiodstatement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_closed_balance_by_closer();

-- 0021_exact_sum_aggregate
CREATE AGGREGATE payments_exact_sum(bigint) (
    SFUNC = int8pl, STYPE = bigint, COMBINEFUNC = int8pl, INITCOND = '0', PARALLEL = SAFE
);

-- 0022_split_line_prior_at
-- a constant default: a posting keeps it unless the trigger below looks its line's previous posting up
ALTER TABLE payments_splitline ADD COLUMN prior_at timestamptz NOT NULL DEFAULT '-infinity';

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

CREATE INDEX payments_split_party_prior_idx
    ON payments_splitline (party, currency, posted_at, transaction_id, line_ref, prior_at);
"""


REVERSE_SQL = """
DROP INDEX IF EXISTS payments_split_party_prior_idx;
DROP TRIGGER IF EXISTS payments_split_prior_at ON payments_splitline;
DROP FUNCTION IF EXISTS payments_split_prior_at();
ALTER TABLE payments_splitline DROP COLUMN IF EXISTS prior_at;
DROP AGGREGATE IF EXISTS payments_exact_sum(bigint);
DROP TRIGGER IF EXISTS payments_closed_statement_by_closer ON payments_closedperiodstatement;
DROP TRIGGER IF EXISTS payments_closed_statement_immutable ON payments_closedperiodstatement;
DROP TRIGGER IF EXISTS payments_split_own_txn ON payments_splitline;
DROP FUNCTION IF EXISTS payments_split_rows_own_txn();
DROP TRIGGER IF EXISTS payments_account_immutable ON payments_account;
DROP TRIGGER IF EXISTS payments_entry_own_txn ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_entries_checked();
DROP TRIGGER IF EXISTS payments_period_closed_balanced ON payments_accountingperiod;
DROP FUNCTION IF EXISTS payments_period_closed_balanced();
DROP TRIGGER IF EXISTS payments_period_close_no_overlap ON payments_accountingperiod;
DROP FUNCTION IF EXISTS payments_period_close_no_overlap();
DROP TRIGGER IF EXISTS payments_closed_balance_by_closer ON payments_closedperiodbalance;
DROP FUNCTION IF EXISTS payments_closed_balance_by_closer();
ALTER TABLE payments_accountingperiod DROP COLUMN IF EXISTS closed_xid;
DROP TRIGGER IF EXISTS payments_closed_balance_immutable ON payments_closedperiodbalance;
DROP FUNCTION IF EXISTS payments_period_movements(pid bigint);
DROP TRIGGER IF EXISTS payments_txn_open_period ON payments_ledgertransaction;
DROP FUNCTION IF EXISTS payments_refuse_closed_period();
DROP INDEX IF EXISTS payments_txn_created_xid_idx;
DROP TRIGGER IF EXISTS payments_settlement_batch_guard ON payments_settlementbatch;
DROP FUNCTION IF EXISTS payments_settlement_batch_guard();
DROP TRIGGER IF EXISTS payments_settlement_batch_released ON payments_settlementbatch;
DROP TRIGGER IF EXISTS payments_settlement_batch_sums ON payments_settlementbatch;
DROP FUNCTION IF EXISTS payments_settlement_batch_sums();
DROP TRIGGER IF EXISTS payments_settlement_item_guard ON payments_settlementbatchitem;
DROP FUNCTION IF EXISTS payments_settlement_item_guard();
ALTER TABLE payments_settlementbatch DROP COLUMN IF EXISTS created_xid;
DROP TRIGGER IF EXISTS payments_audit_immutable ON payments_financeauditevent;
DROP TRIGGER IF EXISTS payments_period_closed_immutable ON payments_accountingperiod;
DROP FUNCTION IF EXISTS payments_period_stays_closed();
DROP TRIGGER IF EXISTS payments_txn_balanced ON payments_ledgertransaction;
DROP FUNCTION IF EXISTS payments_txn_balanced();
DROP TRIGGER IF EXISTS payments_split_immutable ON payments_splitline;
DROP TRIGGER IF EXISTS payments_txn_immutable ON payments_ledgertransaction;
DROP TRIGGER IF EXISTS payments_entry_immutable ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_forbid_change();
ALTER TABLE payments_ledgertransaction DROP COLUMN IF EXISTS created_xid;
"""


# 0007_platform_finance_group
GROUP = "Platform finance"


def create_group(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the group needs this one now.
    create_permissions(global_apps.get_app_config("payments"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="payments", codename="change_settlementbatch"))


def drop_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('payments', '0001_initial'),
        ('payments', '0002_ledger_guards'),
        ('payments', '0003_gateway'),
        ('payments', '0004_settlement_reconciliation'),
        ('payments', '0005_closed_periods'),
        ('payments', '0006_charge_fees'),
        ('payments', '0007_platform_finance_group'),
        ('payments', '0008_settlement_items_and_payee_snapshot'),
        ('payments', '0008_event_redaction'),
        ('payments', '0009_merge_settlement_items_and_event_redaction'),
        ('payments', '0010_ledger_checks_per_round'),
        ('payments', '0011_discount_funding'),
        ('payments', '0012_alter_account_kind_alter_ledgertransaction_kind'),
        ('payments', '0013_settlement_execution_in_worker'),
        ('payments', '0014_ledger_award_kind'),
        ('payments', '0015_closed_period_balances'),
        ('payments', '0016_entry_accounts_checked_per_statement'),
        ('payments', '0017_statement_exports'),
        ('payments', '0018_split_line_posted_at'),
        ('payments', '0019_closed_period_statements'),
        ('payments', '0020_stripe_btx_import_indexes'),
        ('payments', '0021_exact_sum_aggregate'),
        ('payments', '0022_split_line_prior_at'),
    ]

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('saleor_app', '0001_squashed_0002_event_redaction'),
        ('unit_onboarding', '0001_squashed_0012_finance_invitation_endorsement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChargeFee',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('charge_id', models.CharField(max_length=100, unique=True)),
                ('payment_intent_id', models.CharField(db_index=True, max_length=100)),
                ('balance_transaction_id', models.CharField(max_length=100, unique=True)),
                ('amount', models.BigIntegerField(help_text='gross of the balance transaction, minor units')),
                ('fee', models.BigIntegerField(help_text="minor units, in the balance transaction's currency")),
                ('currency', models.CharField(max_length=3)),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='DiscountFunding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text='Saleor promotion ID, or voucher code', max_length=200, unique=True)),
                ('name', models.CharField(blank=True, max_length=200)),
            ],
        ),
        migrations.CreateModel(
            name='OrderPaymentReference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('psp_reference', models.CharField(max_length=100, unique=True)),
                ('order_ref', models.CharField(db_index=True, max_length=100)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='Account',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('party_payable', 'payable to a party'), ('platform_revenue', 'Platform Revenue'), ('stripe_clearing', 'Stripe Clearing'), ('processor_fees', 'Processor Fees'), ('refunds', 'Refunds'), ('bank_clearing', 'bank clearing (payouts by bank file)'), ('campaign_held', 'held for a crowdfunding campaign (unearned, never paid out)')], max_length=32)),
                ('party', models.CharField(blank=True, help_text='e.g. unit:12, entity:3, designer:5, platform', max_length=64)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'party'), name='payments_account_kind_party_uniq')],
            },
        ),
        migrations.CreateModel(
            name='AccountingPeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start', models.DateTimeField(unique=True)),
                ('end', models.DateTimeField()),
                ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=8)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='ClosedPeriodBalance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('amount', models.BigIntegerField(help_text='debits minus credits of the account in the period')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.account')),
                ('period', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='balances', to='payments.accountingperiod')),
            ],
        ),
        migrations.CreateModel(
            name='ClosedPeriodStatement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('party', models.CharField(max_length=64)),
                ('currency', models.CharField(max_length=3)),
                ('sales', models.BigIntegerField()),
                ('platform_funded', models.BigIntegerField()),
                ('released', models.BigIntegerField()),
                ('funded_on_lines', models.BigIntegerField()),
                ('sales_net', models.BigIntegerField()),
                ('refunds', models.BigIntegerField()),
                ('payouts', models.BigIntegerField()),
                ('fees_after', models.BigIntegerField()),
                ('released_net', models.BigIntegerField()),
                ('awards', models.BigIntegerField()),
                ('movement', models.BigIntegerField()),
                ('entered', models.BooleanField(help_text='the party has entries in the period, not only split lines')),
                ('period', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statements', to='payments.accountingperiod')),
            ],
        ),
        migrations.CreateModel(
            name='DiscountFundingVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('proposed_at', models.DateTimeField()),
                ('number', models.PositiveIntegerField()),
                ('funder', models.CharField(choices=[('platform', 'The platform funds the discount'), ('unit', 'The unit funds the discount'), ('split', 'Platform and unit share the discount')], max_length=16)),
                ('platform_bps', models.PositiveIntegerField(help_text="the platform's part of the discount, in bps")),
                ('base_number', models.PositiveIntegerField(default=0, help_text='the approved version in force when proposed (0: none); approval needs it still')),
                ('status', models.CharField(choices=[('proposed', 'Proposed: awaiting approval by platform finance'), ('approved', 'Approved'), ('rejected', 'Rejected by platform finance')], default='proposed', max_length=16)),
                ('effective_from', models.DateTimeField(blank=True, help_text='its approval', null=True)),
                ('note', models.TextField(blank=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('funding', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='payments.discountfunding')),
                ('proposed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='FinanceAuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('action', models.CharField(max_length=40)),
                ('subject', models.CharField(help_text='e.g. settlement:12, period:2026-11', max_length=100)),
                ('party', models.CharField(blank=True, max_length=64)),
                ('detail', models.JSONField(default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='LedgerTransaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('idempotency_key', models.CharField(max_length=200, unique=True)),
                ('kind', models.CharField(choices=[('payment', 'Payment'), ('refund', 'Refund'), ('reversal', 'reversal (correction)'), ('payout', 'payout (settlement)'), ('fee', 'processor fee (after its payment, or an adjustment)'), ('release', "release of a campaign's held income to its parties"), ('award', "a design call's award, owed to the designer, funded by the unit")], max_length=16)),
                ('order_ref', models.CharField(db_index=True, max_length=100)),
                ('currency', models.CharField(max_length=3)),
                ('fingerprint', models.CharField(help_text='sha256 of the posted request, to detect key reuse', max_length=64)),
                ('memo', models.CharField(blank=True, max_length=255)),
                ('posted_at', models.DateTimeField()),
                ('reverses', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='payments.ledgertransaction')),
            ],
        ),
        migrations.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.BigIntegerField()),
                ('currency', models.CharField(max_length=3)),
                ('account', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='payments.account')),
                ('transaction', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='payments.ledgertransaction')),
            ],
        ),
        migrations.CreateModel(
            name='PaymentIntentRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('saleor_transaction_id', models.CharField(max_length=200, unique=True)),
                ('idempotency_key', models.CharField(max_length=255, unique=True)),
                ('payment_intent_id', models.CharField(blank=True, max_length=100, null=True, unique=True)),
                ('amount', models.BigIntegerField(help_text='minor units (fen)')),
                ('currency', models.CharField(max_length=3)),
                ('action_type', models.CharField(help_text='Saleor flow: CHARGE or AUTHORIZATION', max_length=20)),
                ('payment_methods', models.JSONField(default=list)),
                ('channel_slug', models.CharField(blank=True, max_length=100)),
                ('source_type', models.CharField(blank=True, help_text='Checkout or Order', max_length=20)),
                ('source_id', models.CharField(blank=True, max_length=200)),
                ('stripe_status', models.CharField(blank=True, max_length=40)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('installation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='saleor_app.saleorinstallation')),
            ],
        ),
        migrations.CreateModel(
            name='ReconciliationExplanation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('item_key', models.CharField(max_length=200)),
                ('note', models.TextField()),
                ('explained_at', models.DateTimeField(auto_now_add=True)),
                ('explained_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('period', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='explanations', to='payments.accountingperiod')),
            ],
        ),
        migrations.CreateModel(
            name='SettlementBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('party', models.CharField(max_length=64)),
                ('currency', models.CharField(max_length=3)),
                ('period_start', models.DateField()),
                ('period_end', models.DateField(help_text='exclusive')),
                ('cutoff', models.DateTimeField(help_text='lines posted up to here (inclusive) and in no other batch')),
                ('window_total', models.BigIntegerField(help_text="net of the batch's split lines (its line items)")),
                ('amount', models.BigIntegerField(help_text='to pay: every item, its lines plus what was carried in')),
                ('method', models.CharField(choices=[('bank', 'Bank'), ('stripe', 'Stripe')], max_length=8)),
                ('stripe_account_id', models.CharField(blank=True, max_length=64)),
                ('payee_name', models.CharField(blank=True, max_length=200)),
                ('payee_bank_name', models.CharField(blank=True, max_length=100)),
                ('payee_bank_account_encrypted', models.TextField(blank=True, help_text='encrypted at rest')),
                ('status', models.CharField(choices=[('proposed', 'Proposed'), ('approved', 'Approved'), ('executed', 'executed (transfers sent or bank file issued)'), ('paid', 'paid (bank confirmed)'), ('carried', 'nothing to pay: carried forward'), ('rejected', 'rejected (propose again)')], default='proposed', max_length=12)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('executed_at', models.DateTimeField(blank=True, null=True)),
                ('paid_at', models.DateTimeField(blank=True, null=True)),
                ('execution_requested_at', models.DateTimeField(blank=True, null=True)),
                ('execution_error', models.TextField(blank=True)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('executed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('execution_requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ledger_transaction', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.ledgertransaction')),
                ('paid_marked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='SettlementTransfer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_ref', models.CharField(max_length=100)),
                ('amount', models.BigIntegerField()),
                ('source_transaction', models.CharField(blank=True, help_text="the order's charge, if known", max_length=100)),
                ('idempotency_key', models.CharField(max_length=200, unique=True)),
                ('stripe_transfer_id', models.CharField(blank=True, max_length=100)),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfers', to='payments.settlementbatch')),
            ],
        ),
        migrations.CreateModel(
            name='SplitLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_ref', models.CharField(max_length=100)),
                ('line_ref', models.CharField(max_length=100)),
                ('line_kind', models.CharField(max_length=16)),
                ('party', models.CharField(max_length=64)),
                ('role', models.CharField(max_length=32)),
                ('position', models.PositiveSmallIntegerField(help_text="order within the line's recipe (the tie-break)")),
                ('bps', models.PositiveIntegerField()),
                ('carved', models.BooleanField(default=False, help_text='a royalty carved out before the agreement split')),
                ('rule', models.CharField(help_text='e.g. agreement, royalty:designer, tax:seller_of_record', max_length=64)),
                ('fee_rule', models.CharField(max_length=16)),
                ('agreement_version', models.CharField(max_length=64)),
                ('amount', models.BigIntegerField(help_text='share of the line; negative for a refund')),
                ('fee', models.BigIntegerField(default=0, help_text='processor fee borne by this party on this line')),
                ('currency', models.CharField(max_length=3)),
                ('posted_at', models.DateTimeField(help_text="its ledger transaction's posted_at (checked at insert)")),
                ('transaction', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='split_lines', to='payments.ledgertransaction')),
            ],
        ),
        migrations.CreateModel(
            name='SettlementBatchItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('amount', models.BigIntegerField(help_text="the line's net (share less fee borne) or the carried amount")),
                ('live', models.BooleanField(default=True, help_text='false once its batch is rejected')),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='payments.settlementbatch')),
                ('carried_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.settlementbatch')),
                ('split_line', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='payments.splitline')),
            ],
        ),
        migrations.CreateModel(
            name='StatementExport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('party', models.CharField(max_length=64)),
                ('currency', models.CharField(max_length=3)),
                ('period_start', models.DateField()),
                ('period_end', models.DateField(help_text='exclusive')),
                ('fmt', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'XLSX'), ('pdf', 'PDF')], max_length=4)),
                ('lines', models.BooleanField(default=True, help_text="the order lines (else the statement's one row)")),
                ('language', models.CharField(blank=True, max_length=16)),
                ('requested_at', models.DateTimeField()),
                ('state', models.CharField(choices=[('queued', 'Waiting for the worker'), ('running', 'Preparing'), ('done', 'Ready'), ('failed', 'Stopped')], default='queued', max_length=8)),
                ('total', models.PositiveIntegerField(default=0)),
                ('read', models.PositiveIntegerField(default=0)),
                ('written', models.PositiveIntegerField(default=0)),
                ('file', models.FileField(blank=True, storage=payments.settlement.models._exports_storage, upload_to='statement-exports/')),
                ('filename', models.CharField(blank=True, max_length=200)),
                ('size', models.PositiveBigIntegerField(default=0)),
                ('error', models.TextField(blank=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='StripeBalanceTransaction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stripe_id', models.CharField(max_length=100)),
                ('type', models.CharField(max_length=40)),
                ('source', models.CharField(blank=True, help_text='ch_/re_/tr_/po_ id', max_length=100)),
                ('order_ref', models.CharField(blank=True, help_text="resolved from the source's metadata", max_length=100)),
                ('amount', models.BigIntegerField(help_text='gross, signed as Stripe reports it')),
                ('fee', models.BigIntegerField(default=0)),
                ('net', models.BigIntegerField()),
                ('currency', models.CharField(max_length=3)),
                ('created', models.DateTimeField()),
                ('imported_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'indexes': [models.Index(fields=['type', 'order_ref'], name='stripe_btx_type_order_idx'), django.contrib.postgres.indexes.BrinIndex(fields=['created'], name='payments_btx_created_brin')],
                'constraints': [models.UniqueConstraint(fields=('stripe_id',), name='payments_btx_stripe_id_uniq')],
            },
        ),
        migrations.CreateModel(
            name='StripeEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_type', models.CharField(db_index=True, max_length=100)),
                ('payload', models.JSONField()),
                ('received_at', models.DateTimeField(auto_now_add=True)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('last_error', models.TextField(blank=True)),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
                ('event_id', models.CharField(max_length=100, unique=True)),
                ('livemode', models.BooleanField(default=False)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('processing', 'Processing'), ('done', 'Done'), ('ignored', 'ignored (nothing to report)'), ('failed', 'failed (will retry)')], default='pending', max_length=16)),
                ('redacted_at', models.DateTimeField(blank=True, help_text="when the payload's personal data (billing details, e-mails) was removed, WEBHOOK_RETENTION_DAYS after receipt; the event id stays, so a replay is still a no-op", null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['status', 'received_at'], name='stripe_event_status_idx'), models.Index(condition=models.Q(('redacted_at', None)), fields=['received_at'], name='stripe_event_unredacted_idx')],
            },
        ),
        migrations.CreateModel(
            name='TransactionEventReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('saleor_transaction_id', models.CharField(max_length=200)),
                ('psp_reference', models.CharField(max_length=100)),
                ('event_type', models.CharField(help_text='Saleor TransactionEventTypeEnum', max_length=40)),
                ('amount', models.BigIntegerField(help_text='minor units (fen)')),
                ('currency', models.CharField(max_length=3)),
                ('reported_at', models.DateTimeField(blank=True, null=True)),
                ('already_processed', models.BooleanField(help_text="Saleor's answer: it already had this event (from a session response)", null=True)),
                ('saleor_event_id', models.CharField(blank=True, max_length=200)),
                ('installation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='saleor_app.saleorinstallation')),
                ('stripe_event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='payments.stripeevent')),
            ],
        ),
        migrations.AddConstraint(
            model_name='accountingperiod',
            constraint=models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='accounting_period_nonempty'),
        ),
        migrations.AddConstraint(
            model_name='closedperiodbalance',
            constraint=models.UniqueConstraint(fields=('period', 'account', 'currency'), name='payments_closed_balance_uniq'),
        ),
        migrations.AddConstraint(
            model_name='closedperiodstatement',
            constraint=models.UniqueConstraint(fields=('period', 'party', 'currency'), name='payments_closed_statement_uniq'),
        ),
        migrations.AddConstraint(
            model_name='discountfundingversion',
            constraint=models.UniqueConstraint(fields=('funding', 'number'), name='discount_funding_version_number'),
        ),
        migrations.AddConstraint(
            model_name='discountfundingversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('funder', 'platform'), ('platform_bps', 10000)), models.Q(('funder', 'unit'), ('platform_bps', 0)), models.Q(('funder', 'split'), ('platform_bps__gt', 0), ('platform_bps__lt', 10000)), _connector='OR'), name='discount_funding_bps_fit_funder'),
        ),
        migrations.AddConstraint(
            model_name='discountfundingversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), models.Q(('decided_by__isnull', False), ('effective_from__isnull', False), models.Q(('decided_by', models.F('proposed_by')), _negated=True)), _connector='OR'), name='discount_funding_four_eyes'),
        ),
        migrations.AddIndex(
            model_name='financeauditevent',
            index=models.Index(fields=['party', 'at'], name='finance_audit_party_idx'),
        ),
        migrations.AddIndex(
            model_name='ledgertransaction',
            index=models.Index(fields=['posted_at', 'id'], name='payments_txn_posted_at_idx'),
        ),
        migrations.AddConstraint(
            model_name='ledgertransaction',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'payment')), fields=('order_ref',), name='payments_txn_one_payment_per_order'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['account', 'currency'], name='payments_entry_account_idx'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('amount', 0), _negated=True), name='payments_entry_nonzero'),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='payments_entry_iso_currency'),
        ),
        migrations.AddConstraint(
            model_name='paymentintentrecord',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='pi_record_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='reconciliationexplanation',
            constraint=models.UniqueConstraint(fields=('period', 'item_key'), name='reconciliation_explanation_uniq'),
        ),
        migrations.AddIndex(
            model_name='settlementbatch',
            index=models.Index(fields=['party', 'currency', 'cutoff'], name='settlement_batch_party_idx'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatch',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'rejected'), _negated=True), fields=('party', 'currency', 'period_end'), name='settlement_batch_party_period_uniq'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatch',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['proposed', 'approved'])), fields=('party', 'currency'), name='settlement_batch_one_open_per_party'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatch',
            constraint=models.CheckConstraint(condition=models.Q(('executed_by__isnull', True), models.Q(('executed_by', models.F('approved_by')), _negated=True), _connector='OR'), name='settlement_batch_four_eyes'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatch',
            constraint=models.CheckConstraint(condition=models.Q(('execution_requested_by__isnull', True), models.Q(('execution_requested_by', models.F('approved_by')), _negated=True), _connector='OR'), name='settlement_batch_four_eyes_request'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatch',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['proposed', 'carried', 'rejected']), ('approved_by__isnull', False), _connector='OR'), name='settlement_batch_approved_before_execution'),
        ),
        migrations.AddConstraint(
            model_name='settlementtransfer',
            constraint=models.UniqueConstraint(fields=('batch', 'order_ref'), name='settlement_transfer_order_uniq'),
        ),
        migrations.AddConstraint(
            model_name='settlementtransfer',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='settlement_transfer_positive'),
        ),
        migrations.AddIndex(
            model_name='splitline',
            index=models.Index(fields=['order_ref', 'line_ref'], name='payments_split_order_line_idx'),
        ),
        migrations.AddConstraint(
            model_name='splitline',
            constraint=models.UniqueConstraint(fields=('transaction', 'line_ref', 'position'), name='payments_split_txn_line_position_uniq'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatchitem',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('split_line__isnull', False), ('carried_from__isnull', True)), models.Q(('split_line__isnull', True), ('carried_from__isnull', False)), _connector='OR'), name='settlement_item_line_or_carry'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatchitem',
            constraint=models.UniqueConstraint(condition=models.Q(('live', True)), fields=('split_line',), name='settlement_item_line_once'),
        ),
        migrations.AddConstraint(
            model_name='settlementbatchitem',
            constraint=models.UniqueConstraint(condition=models.Q(('live', True)), fields=('carried_from',), name='settlement_item_carry_once'),
        ),
        migrations.AddIndex(
            model_name='statementexport',
            index=models.Index(fields=['party', 'requested_at'], name='statement_export_party_idx'),
        ),
        migrations.AddConstraint(
            model_name='statementexport',
            constraint=models.CheckConstraint(condition=models.Q(('period_end__gt', models.F('period_start'))), name='statement_export_period'),
        ),
        migrations.AddConstraint(
            model_name='statementexport',
            constraint=models.CheckConstraint(condition=models.Q(('read__lte', models.F('total')), ('written__lte', models.F('total'))), name='statement_export_progress'),
        ),
        migrations.AddConstraint(
            model_name='transactioneventreport',
            constraint=models.UniqueConstraint(fields=('saleor_transaction_id', 'psp_reference', 'event_type', 'amount'), name='transaction_event_report_once'),
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
        migrations.RunPython(create_group, drop_group),
    ]
