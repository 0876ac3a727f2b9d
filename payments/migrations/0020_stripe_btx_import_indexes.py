"""Stripe balance transactions: one unique index on stripe_id (not two), a BRIN index on created: cheaper imports."""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0019_closed_period_statements'),
    ]

    operations = [
        migrations.AlterField(
            model_name='stripebalancetransaction',
            name='created',
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name='stripebalancetransaction',
            name='stripe_id',
            field=models.CharField(max_length=100),
        ),
        migrations.AddIndex(
            model_name='stripebalancetransaction',
            index=django.contrib.postgres.indexes.BrinIndex(fields=['created'], name='payments_btx_created_brin'),
        ),
        migrations.AddConstraint(
            model_name='stripebalancetransaction',
            constraint=models.UniqueConstraint(fields=('stripe_id',), name='payments_btx_stripe_id_uniq'),
        ),
    ]
