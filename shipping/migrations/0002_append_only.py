from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION shipping_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER shipping_rates_immutable BEFORE UPDATE OR DELETE ON shipping_shippingrates
    FOR EACH ROW EXECUTE FUNCTION shipping_immutable();
CREATE TRIGGER shipping_quote_immutable BEFORE UPDATE OR DELETE ON shipping_shippingquote
    FOR EACH ROW EXECUTE FUNCTION shipping_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS shipping_rates_immutable ON shipping_shippingrates;
DROP TRIGGER IF EXISTS shipping_quote_immutable ON shipping_shippingquote;
DROP FUNCTION IF EXISTS shipping_immutable();
"""


class Migration(migrations.Migration):
    """Rates versions and quotes are records of money terms: a change is a new row, never an edit."""

    dependencies = [("shipping", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
