"""Entries appended without a lock, sealed into the chain by one sealer (ADR 0200).

Existing entries are already chained at their `seq`: chain_seq = seq, so their hashes (which cover
the chain position under the name "seq") stay valid. The entry id now comes from the database's
sequence (it was assigned from the head before), so the sequence is moved past the last id.
"""

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models


def chain_existing(apps, schema_editor):
    Entry = apps.get_model("audit", "AuditEntry")
    conn = schema_editor.connection
    table = conn.ops.quote_name(Entry._meta.db_table)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE {table} SET chain_seq = seq WHERE chain_seq IS NULL")
        for sql in conn.ops.sequence_reset_sql(no_style(), [Entry]):
            cur.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_hmac_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='chain_seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name='链位置'),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('chain_seq__isnull', True)), fields=['seq'], name='audit_unsealed'),
        ),
    ]
