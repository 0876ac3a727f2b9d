"""PostgreSQL refuses changing a launched campaign's money terms (goal, dates) or its tiers' prices and limits."""

from django.db import migrations

SQL = """
CREATE FUNCTION campaigns_money_terms_fixed() RETURNS trigger AS $$
BEGIN
    IF OLD.state NOT IN ('draft', 'in_review') AND (
        NEW.goal_kind IS DISTINCT FROM OLD.goal_kind OR NEW.goal_amount IS DISTINCT FROM OLD.goal_amount
        OR NEW.goal_backers IS DISTINCT FROM OLD.goal_backers OR NEW.starts_at IS DISTINCT FROM OLD.starts_at
        OR NEW.ends_at IS DISTINCT FROM OLD.ends_at OR NEW.currency IS DISTINCT FROM OLD.currency
        OR NEW.listing_id IS DISTINCT FROM OLD.listing_id
        OR NEW.estimated_delivery IS DISTINCT FROM OLD.estimated_delivery
    ) THEN
        RAISE EXCEPTION 'campaign % is launched: its money terms are fixed', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'campaign_money_terms_fixed';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER campaign_money_terms_fixed BEFORE UPDATE ON campaigns_campaign
    FOR EACH ROW EXECUTE FUNCTION campaigns_money_terms_fixed();

CREATE FUNCTION campaigns_tier_terms_fixed() RETURNS trigger AS $$
DECLARE
    st text;
BEGIN
    SELECT state INTO st FROM campaigns_campaign
        WHERE id = COALESCE(NEW.campaign_id, OLD.campaign_id);
    IF st IS NOT NULL AND st NOT IN ('draft', 'in_review') AND (
        TG_OP <> 'UPDATE' OR NEW.price_fen IS DISTINCT FROM OLD.price_fen
        OR NEW."limit" IS DISTINCT FROM OLD."limit" OR NEW.variant_id IS DISTINCT FROM OLD.variant_id
        OR NEW.sku IS DISTINCT FROM OLD.sku
    ) THEN
        RAISE EXCEPTION 'campaign % is launched: its tiers are fixed', st
            USING ERRCODE = 'check_violation', CONSTRAINT = 'campaign_tier_terms_fixed';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$ LANGUAGE plpgsql;
CREATE TRIGGER campaign_tier_terms_fixed BEFORE INSERT OR UPDATE OR DELETE ON campaigns_tier
    FOR EACH ROW EXECUTE FUNCTION campaigns_tier_terms_fixed();
"""

REVERSE = """
DROP TRIGGER campaign_tier_terms_fixed ON campaigns_tier;
DROP FUNCTION campaigns_tier_terms_fixed();
DROP TRIGGER campaign_money_terms_fixed ON campaigns_campaign;
DROP FUNCTION campaigns_money_terms_fixed();
"""


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
