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
    assert verify() == (2, "content does not match its hash (edited, or another audit key)")


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


# ---------------------------------------------------------------- HMAC under the audit key, checkpoints

import hashlib  # noqa: E402

from onewindow.audit import checkpoints  # noqa: E402
from onewindow.audit.models import AuditHead  # noqa: E402
from onewindow.audit.services import GENESIS, _canonical, hashed_fields  # noqa: E402


def _three():
    return [record(actor=None, action="test.write", obj_type="thing", obj_id=i, after={"n": i}) for i in range(3)]


@pytest.mark.django_db
def test_verify_under_another_key_fails(settings):
    settings.AUDIT_KEY = "key-one"
    _three()
    assert verify() is None
    assert verify(key=b"key-two") == (1, "content does not match its hash (edited, or another audit key)")
    settings.AUDIT_KEY = "key-two"
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    call_command("audit", "verify", "--key", "key-one")


@pytest.mark.django_db
def test_hash_is_hmac_not_plain_sha256(settings):
    """Computed by hand with hashlib/hmac: the stored hash is HMAC-SHA-256 under the key."""
    import hmac

    settings.AUDIT_KEY = "k"
    e = record(actor=None, action="test.write", obj_type="thing", obj_id=1, after={"n": 1})
    msg = (GENESIS + _canonical(hashed_fields(e))).encode()
    assert e.hash == hmac.new(b"k", msg, hashlib.sha256).hexdigest()
    assert e.hash != hashlib.sha256(msg).hexdigest()


@pytest.mark.django_db
def test_forgery_recomputed_with_plain_sha256_or_a_guessed_key_is_detected():
    """The attack of the issue: edit an entry, recompute every later hash, move the head."""
    _three()
    for guessed in (None, b"onewindow-dev-only-secret-change-me-in-production"):
        prev = GENESIS
        for e in AuditEntry.objects.order_by("seq"):
            if e.seq == 2:
                e.after = {"n": 99}
            msg = (prev + _canonical(hashed_fields(e))).encode()
            import hmac

            e.prev_hash = prev
            e.hash = hashlib.sha256(msg).hexdigest() if guessed is None else hmac.new(guessed, msg, hashlib.sha256).hexdigest()
            e.save()
            prev = e.hash
        AuditHead.objects.filter(id=1).update(last_hash=prev)
        assert verify()[0] == 1


@pytest.mark.django_db
def test_checkpoint_catches_truncation_and_rechain(tmp_path):
    """Someone who knows the key (or replays the project's own code) deletes the last two entries
    and appends fresh ones: the chain alone verifies, the checkpoint does not."""
    _three()
    point = checkpoints.write()
    assert point["seq"] == 3
    assert checkpoints.write() is None  # head unchanged: no second line
    assert verify() is None
    AuditEntry.objects.filter(seq__gte=2).delete()
    head = AuditEntry.objects.get(seq=1)
    AuditHead.objects.filter(id=1).update(last_seq=1, last_hash=head.hash)
    for i in range(2):
        record(actor=None, action="test.rewritten", obj_type="thing", obj_id=i, after={"n": -i})
    assert verify(checkpoints=False) is None  # the chain alone is consistent again
    seq, reason = verify()
    assert seq == 3 and "differs from its checkpoint" in reason
    AuditEntry.objects.filter(seq=3).delete()
    AuditHead.objects.filter(id=1).update(last_seq=2, last_hash=AuditEntry.objects.get(seq=2).hash)
    assert verify() == (3, f"entry #3 checkpointed at {point['at']} is missing (chain truncated)")


@pytest.mark.django_db
def test_a_forged_checkpoint_line_is_detected():
    _three()
    checkpoints.write()
    p = checkpoints.path()
    line = p.read_text().replace('"seq": 3', '"seq": 2')
    p.write_text(line)
    assert "not authentic" in verify()[1]


@pytest.mark.django_db
def test_checkpoint_command_and_worker_round_write_the_file_and_the_log(caplog, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _three()
    with caplog.at_level("INFO", logger="onewindow.audit"):
        call_command("audit", "checkpoint")
    assert [p["seq"] for p in checkpoints.read()] == [3]
    assert "audit checkpoint seq=3" in caplog.text
    record(actor=None, action="test.write", obj_type="thing", obj_id=9)
    call_command("worker", "--once")
    assert [p["seq"] for p in checkpoints.read()][-1] >= 4
