import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import record, verify


@pytest.mark.django_db
def test_chain_intact_then_edit_detected():
    for i in range(3):
        record(actor=None, action="test.write", obj_type="thing", obj_id=i, before=None, after={"n": i})
    assert verify() is None
    AuditEntry.objects.filter(seq=2).update(after={"n": 99})
    assert verify() == (2, "content does not match its hash (edited)")


@pytest.mark.django_db
def test_removed_entry_detected():
    for i in range(3):
        record(actor=None, action="test.write", obj_type="thing", obj_id=i, after={"n": i})
    AuditEntry.objects.filter(seq=2).delete()
    assert verify()[0] == 2


@pytest.mark.django_db
def test_removed_tail_detected():
    for i in range(3):
        record(actor=None, action="test.write", obj_type="thing", obj_id=i, after={"n": i})
    AuditEntry.objects.filter(seq=3).delete()
    assert verify()[0] == 3


@pytest.mark.django_db
def test_verify_command_exit_code():
    record(actor=None, action="test.write", obj_type="thing", obj_id=1, after={"n": 1})
    call_command("audit", "verify")
    AuditEntry.objects.filter(seq=1).update(action="test.forged")
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
