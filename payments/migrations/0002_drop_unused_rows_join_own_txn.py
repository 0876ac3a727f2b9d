"""Drop payments_rows_join_own_txn(): no trigger has called it since 0016 (entries checked per statement).

Databases made from the squashed migration never had it; those migrated with the old files still do.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_squashed_0022_split_line_prior_at")]

    operations = [
        migrations.RunSQL(
            "DROP FUNCTION IF EXISTS payments_rows_join_own_txn();",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
