"""`onewindow backup` and `onewindow restore`: back up, file more cases, restore, and find the database,
the uploaded files and a verifying audit chain as they were (on SQLite and on PostgreSQL)."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from onewindow.audit.models import AuditEntry
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_world, person


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONEWINDOW_AUDIT_CHECKPOINT_DIR = tmp_path / "audit"
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / "checkpoints.log").write_text("checkpoint at backup\n")
    return tmp_path


def _file(w):
    return services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window", actor=w.clerk,
                              materials=["M01", "M02", "M03"]).number


@pytest.mark.django_db(transaction=True)
def test_backup_file_more_restore(media):
    w = make_world()
    before = sorted(_file(w) for _ in range(2))
    stored = default_storage.save("uploads/2026/licence.pdf", ContentFile(b"%PDF-1.4 the scanned licence"))
    entries = AuditEntry.objects.count()
    out = StringIO()
    call_command("backup", str(media / "backup"), stdout=out)
    assert "backup written" in out.getvalue()
    # Life goes on after the backup: more cases, a file removed, a checkpoint appended.
    _file(w)
    _file(w)
    default_storage.delete(stored)
    (media / "audit" / "checkpoints.log").write_text("checkpoint at backup\ncheckpoint after\n")
    assert Case.objects.count() == 4
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(media / "backup"))
    call_command("restore", str(media / "backup"), "--yes", stdout=StringIO())
    assert sorted(Case.objects.values_list("number", flat=True)) == before
    assert AuditEntry.objects.count() == entries
    assert default_storage.open(stored).read() == b"%PDF-1.4 the scanned licence"
    assert (media / "audit" / "checkpoints.log").read_text() == "checkpoint at backup\n"
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()
    # Numbering goes on from the restored sequence.
    assert _file(w) == before[-1][:-6] + f"{int(before[-1][-6:]) + 1:06d}"


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_changed_or_foreign_folder(media):
    make_world()
    call_command("backup", str(media / "backup"), stdout=StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(media / "backup"), stdout=StringIO())
    victim = next(p for p in (media / "backup").iterdir() if p.name.startswith("database"))
    victim.write_bytes(victim.read_bytes() + b"tampered")
    with pytest.raises(CommandError, match="changed since it was written"):
        call_command("restore", str(media / "backup"), "--yes", stdout=StringIO())
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", str(media), "--yes", stdout=StringIO())
