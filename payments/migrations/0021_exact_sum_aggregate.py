"""payments_exact_sum(bigint): a bigint sum whose state is a bigint, for the reconciliation's million groups.

PostgreSQL's sum(bigint) keeps a 128-bit state allocated per group (and returns numeric): on 720,000 orders
its hash tables outgrew work_mem and spilled to disk. This one adds with int8pl, which raises "bigint out of
range" rather than wrapping, so a sum is exact or an error; it is 0 over no rows (not NULL).
"""

from django.db import migrations

FORWARD = """
CREATE AGGREGATE payments_exact_sum(bigint) (
    SFUNC = int8pl, STYPE = bigint, COMBINEFUNC = int8pl, INITCOND = '0', PARALLEL = SAFE
);
"""
BACKWARD = "DROP AGGREGATE payments_exact_sum(bigint);"


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0020_stripe_btx_import_indexes"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
