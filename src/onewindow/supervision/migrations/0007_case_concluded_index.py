from django.db import migrations

# The off-system rule reads every concluded case once per first (or unbounded) sweep: this partial
# index holds their ids in order, with the three columns its "too fast" half compares, so both
# halves are index-only reads and "no review or decide event" is a merge anti-join with
# sup_event_handled (supervision 0004). SQLite has no INCLUDE: there the index holds the id only.
NAME = "sup_case_concluded"
WHERE = "WHERE state IN ('concluded', 'delivered')"


def create(apps, schema_editor):
    include = " INCLUDE (committed_days, accepted_at, concluded_at)" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON cases_case (id){include} {WHERE}")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0006_alert_lean_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
