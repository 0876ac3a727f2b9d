"""accounts: migrations 0001_initial to 0003_saleor_dashboard_sign_in, squashed (see README, Migrations)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SQL = r"""
-- 0002_access_event_append_only
CREATE FUNCTION accounts_access_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access trail is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_access_event_immutable BEFORE UPDATE OR DELETE ON accounts_accessevent
    FOR EACH ROW EXECUTE FUNCTION accounts_access_event_immutable();
"""


REVERSE_SQL = """
DROP TRIGGER IF EXISTS accounts_access_event_immutable ON accounts_accessevent;
DROP FUNCTION IF EXISTS accounts_access_event_immutable();
"""


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('accounts', '0001_initial'),
        ('accounts', '0002_access_event_append_only'),
        ('accounts', '0003_saleor_dashboard_sign_in'),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LoginThrottle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(max_length=16)),
                ('kind', models.CharField(choices=[('account', 'account'), ('address', 'client address')], max_length=8)),
                ('key', models.CharField(max_length=64)),
                ('failures', models.PositiveIntegerField(default=0)),
                ('window_started_at', models.DateTimeField()),
                ('locked_until', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['window_started_at'], name='login_throttle_window_idx')],
                'constraints': [models.UniqueConstraint(fields=('scope', 'kind', 'key'), name='login_throttle_bucket_unique')],
            },
        ),
        migrations.CreateModel(
            name='RecoveryCodeDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='AccessEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True)),
                ('action', models.CharField(choices=[('account.created', 'Account created (e-mail address confirmed)'), ('role.granted', 'Role granted'), ('role.revoked', 'Role revoked'), ('invitation.sent', 'Invitation sent'), ('invitation.accepted', 'Invitation accepted'), ('invitation.declined', 'Invitation declined'), ('invitation.revoked', 'Invitation withdrawn'), ('2fa.enrolled', 'Second factor set up'), ('2fa.reset', 'Second factor reset'), ('2fa.recovery_codes', 'Recovery codes regenerated'), ('2fa.recovery_code_used', 'Recovery code used to sign in'), ('password.changed', 'Password changed'), ('login.locked', 'Sign-in locked after failed attempts'), ('login.saleor_dashboard', 'Signed in from the Saleor Dashboard')], max_length=40)),
                ('scope', models.CharField(blank=True, help_text='e.g. unit:<uid>', max_length=100)),
                ('detail', models.JSONField(default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, help_text='whose access changed', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['scope', 'at'], name='access_event_scope_idx'), models.Index(fields=['user', 'at'], name='access_event_user_idx')],
            },
        ),
        migrations.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64)),
                ('used_at', models.DateTimeField(blank=True, null=True)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='accounts.recoverycodedevice')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('device', 'digest'), name='recovery_code_unique')],
            },
        ),
        migrations.RunSQL(SQL, REVERSE_SQL),
    ]
