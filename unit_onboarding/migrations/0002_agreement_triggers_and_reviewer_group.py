"""Database guarantees for agreements, and the platform reviewer group."""

from django.db import migrations

SHARES = "unit_onboarding_agreementshare"
VERSIONS = "unit_onboarding_agreementversion"

SQL = f"""
-- A version's shares sum to exactly 10,000 bps, checked at commit so a version and its shares
-- can be written in any order within one transaction.
CREATE FUNCTION unit_onboarding_shares_sum_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    vid bigint;
    total bigint;
BEGIN
    IF TG_TABLE_NAME = '{VERSIONS}' THEN
        vid := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        vid := OLD.version_id;
    ELSE
        vid := NEW.version_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {VERSIONS} WHERE id = vid) THEN
        RETURN NULL;  -- the whole (not yet in force) version was deleted
    END IF;
    SELECT COALESCE(SUM(bps), 0) INTO total FROM {SHARES} WHERE version_id = vid;
    IF total <> 10000 THEN
        RAISE EXCEPTION 'agreement version % shares sum to % bps, not 10000', vid, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER unit_onboarding_shares_sum_on_share
    AFTER INSERT OR UPDATE OR DELETE ON {SHARES}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION unit_onboarding_shares_sum_check();
CREATE CONSTRAINT TRIGGER unit_onboarding_shares_sum_on_version
    AFTER INSERT ON {VERSIONS}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION unit_onboarding_shares_sum_check();

-- A version in force is history: no update or delete, except closing its open end at a future
-- instant (which is how the next version takes over without touching the past).
CREATE FUNCTION unit_onboarding_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.effective_from > now() THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF ROW(NEW.*) IS NOT DISTINCT FROM ROW(OLD.*) THEN
            RETURN NEW;
        END IF;
        IF OLD.effective_to IS NULL AND NEW.effective_to IS NOT NULL AND NEW.effective_to >= now()
           AND ROW(NEW.id, NEW.agreement_id, NEW.number, NEW.effective_from, NEW.note, NEW.created_by_id,
                   NEW.created_at)
               IS NOT DISTINCT FROM
               ROW(OLD.id, OLD.agreement_id, OLD.number, OLD.effective_from, OLD.note, OLD.created_by_id,
                   OLD.created_at) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'agreement version % is in force and cannot be changed; add a new version', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE TRIGGER unit_onboarding_version_immutable
    BEFORE UPDATE OR DELETE ON {VERSIONS}
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_version_immutable();

CREATE FUNCTION unit_onboarding_share_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {VERSIONS} WHERE id = OLD.version_id AND effective_from <= now()) THEN
        RAISE EXCEPTION 'shares of agreement version % are in force and cannot be changed', OLD.version_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER unit_onboarding_share_immutable
    BEFORE UPDATE OR DELETE ON {SHARES}
    FOR EACH ROW EXECUTE FUNCTION unit_onboarding_share_immutable();
"""

REVERSE_SQL = f"""
DROP TRIGGER IF EXISTS unit_onboarding_share_immutable ON {SHARES};
DROP TRIGGER IF EXISTS unit_onboarding_version_immutable ON {VERSIONS};
DROP TRIGGER IF EXISTS unit_onboarding_shares_sum_on_version ON {VERSIONS};
DROP TRIGGER IF EXISTS unit_onboarding_shares_sum_on_share ON {SHARES};
DROP FUNCTION IF EXISTS unit_onboarding_share_immutable();
DROP FUNCTION IF EXISTS unit_onboarding_version_immutable();
DROP FUNCTION IF EXISTS unit_onboarding_shares_sum_check();
"""

REVIEWERS = "Platform reviewers"


def create_reviewer_group(apps, schema_editor):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the group needs this one now.
    create_permissions(global_apps.get_app_config("unit_onboarding"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=REVIEWERS)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="unit_onboarding", codename="review_application")
    )


def drop_reviewer_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("unit_onboarding", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunSQL(SQL, REVERSE_SQL),
        migrations.RunPython(create_reviewer_group, drop_reviewer_group),
    ]
