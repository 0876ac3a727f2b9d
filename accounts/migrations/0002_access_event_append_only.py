from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION accounts_access_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access trail is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_access_event_immutable BEFORE UPDATE OR DELETE ON accounts_accessevent
    FOR EACH ROW EXECUTE FUNCTION accounts_access_event_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_access_event_immutable ON accounts_accessevent;
DROP FUNCTION IF EXISTS accounts_access_event_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
