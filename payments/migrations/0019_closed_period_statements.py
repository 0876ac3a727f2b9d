"""Closed periods keep each party's statement figures too, so a closed period's statement reads its rows.

- payments_closedperiodstatement: per period, party and currency, the sums a statement makes of the period's
  split lines and entries (payments.selectors.period_figures), written when the period closes.
- Append-only, and written only by the transaction that closes the period (the triggers of its balances).
- At commit of the closing, PostgreSQL checks each party's `movement` against the closing balances of its
  accounts (payable, platform revenue, campaign held) written in the same transaction: none missing, none
  extra, none different. The other figures are recomputed by the audit (closed_statements_mismatched).
- Periods closed before this migration get their rows here, before the triggers exist.
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = r"""
CREATE TRIGGER payments_closed_statement_immutable BEFORE UPDATE OR DELETE ON payments_closedperiodstatement
    FOR EACH ROW EXECUTE FUNCTION payments_forbid_change();
CREATE TRIGGER payments_closed_statement_by_closer AFTER INSERT ON payments_closedperiodstatement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_closed_balance_by_closer();

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
"""

BACKWARD = r"""
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
    RETURN NULL;
END $$;
DROP TRIGGER payments_closed_statement_by_closer ON payments_closedperiodstatement;
DROP TRIGGER payments_closed_statement_immutable ON payments_closedperiodstatement;
"""


def backfill(apps, schema_editor):
    """Statement figures of the periods closed before this migration (the triggers come after)."""
    from payments.selectors import period_statement_figures_keep

    for period in apps.get_model("payments", "AccountingPeriod").objects.filter(status="closed"):
        period_statement_figures_keep(period_id=period.pk, start=period.start, end=period.end)


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0018_split_line_posted_at'),
    ]

    operations = [
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
            options={
                'constraints': [models.UniqueConstraint(fields=('period', 'party', 'currency'), name='payments_closed_statement_uniq')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
