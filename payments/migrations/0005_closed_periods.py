"""PostgreSQL guards of closed periods and the finance audit trail."""

from django.db import migrations

FORWARD = r"""
-- Nothing is posted into a closed period: a ledger transaction dated inside one is refused.
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
"""

BACKWARD = r"""
DROP TRIGGER payments_audit_immutable ON payments_financeauditevent;
DROP TRIGGER payments_period_closed_immutable ON payments_accountingperiod;
DROP TRIGGER payments_txn_open_period ON payments_ledgertransaction;
DROP FUNCTION payments_period_stays_closed();
DROP FUNCTION payments_refuse_closed_period();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0004_settlement_reconciliation")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
