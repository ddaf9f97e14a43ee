from django.db import migrations

# Partial indexes for the event-driven rules (plain SQL, valid on PostgreSQL and SQLite, since the
# tables belong to the cases app): the daily full pass looks up the accept / review-decide /
# refused-notice events of its recent cases by case id, in small indexes instead of the whole table.
INDEXES = [
    ("sup_event_accept", "cases_caseevent (case_id, at) WHERE action = 'accept'"),
    ("sup_event_handled", "cases_caseevent (case_id) WHERE action IN ('review', 'decide')"),
    ("sup_event_refused", "cases_caseevent (case_id) WHERE action = 'notice_refused'"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0003_alert_open_recent"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}", f"DROP INDEX IF EXISTS {name}")
        for name, spec in INDEXES
    ]
