import pytest
from django.core.management import call_command

from onewindow.audit.models import AuditEntry
from onewindow.audit.services import record, seal, verify


def at(position: int):
    """The entries at a chain position (after sealing)."""
    return AuditEntry.objects.filter(chain_seq=position)


@pytest.mark.django_db
def test_chain_intact_then_edit_detected():
    for i in range(3):
        record(actor=None, action="test.write", obj_type="thing", obj_id=i, before=None, after={"n": i})
    assert verify() is None
    at(2).update(after={"n": 99})
    assert verify() == (2, "content does not match its hash (edited, or another audit key)")


@pytest.mark.django_db
def test_removed_entry_detected():
    for i in range(3):
        record(actor=None, action="test.write", obj_type="thing", obj_id=i, after={"n": i})
    seal()
    at(2).delete()
    assert verify()[0] == 2


@pytest.mark.django_db
def test_removed_tail_detected():
    for i in range(3):
        record(actor=None, action="test.write", obj_type="thing", obj_id=i, after={"n": i})
    seal()
    at(3).delete()
    assert verify()[0] == 3


@pytest.mark.django_db
def test_verify_command_exit_code():
    record(actor=None, action="test.write", obj_type="thing", obj_id=1, after={"n": 1})
    call_command("audit", "verify")
    at(1).update(action="test.forged")
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


def _rechain_by_hand(key=None):
    """What someone who knows the key does: chain the unsealed entries onto the head without the
    sealer's checks (entry_hash is the project's own function)."""
    from onewindow.audit.services import entry_hash

    head = AuditHead.objects.get(id=1)
    prev, position = head.last_hash, head.last_seq
    for e in AuditEntry.objects.filter(chain_seq__isnull=True).order_by("seq"):
        position += 1
        e.chain_seq, e.prev_hash = position, prev
        e.hash = prev = entry_hash(prev, hashed_fields(e), key)
        e.save()
    AuditHead.objects.filter(id=1).update(last_seq=position, last_hash=prev)


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
    record(actor=None, action="test.write", obj_type="thing", obj_id=1, after={"n": 1})
    assert seal() == 1
    e = at(1).get()
    msg = (GENESIS + _canonical(hashed_fields(e))).encode()
    assert e.hash == hmac.new(b"k", msg, hashlib.sha256).hexdigest()
    assert e.hash != hashlib.sha256(msg).hexdigest()


@pytest.mark.django_db
def test_forgery_recomputed_with_plain_sha256_or_a_guessed_key_is_detected():
    """The attack of the issue: edit an entry, recompute every later hash, move the head."""
    _three()
    seal()
    for guessed in (None, b"onewindow-dev-only-secret-change-me-in-production"):
        prev = GENESIS
        for e in AuditEntry.objects.order_by("chain_seq"):
            if e.chain_seq == 2:
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
    AuditEntry.objects.filter(chain_seq__gte=2).delete()
    head = at(1).get()
    AuditHead.objects.filter(id=1).update(last_seq=1, last_hash=head.hash)
    for i in range(2):
        record(actor=None, action="test.rewritten", obj_type="thing", obj_id=i, after={"n": -i})
    _rechain_by_hand()  # the sealer itself refuses a head behind the checkpoint (test below)
    assert verify(checkpoints=False, seal_first=False) is None  # the chain alone is consistent again
    seq, reason = verify()
    assert seq == 3 and "differs from its checkpoint" in reason
    at(3).delete()
    AuditHead.objects.filter(id=1).update(last_seq=2, last_hash=at(2).get().hash)
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


# ---------------------------------------------------------------- ADR 0200: appended without a lock, sealed by one sealer

import datetime  # noqa: E402
import threading  # noqa: E402

from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from onewindow.audit import services  # noqa: E402

needs_postgres = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks and concurrent writers: PostgreSQL")


@pytest.mark.django_db
def test_record_leaves_an_unsealed_entry_and_seal_chains_in_id_order_without_gaps():
    entries = _three()
    assert [e.chain_seq for e in AuditEntry.objects.order_by("seq")] == [None, None, None]
    assert AuditHead.objects.filter(last_seq__gt=0).count() == 0  # record never touches the head
    assert seal(batch=2) == 3  # two batches
    sealed = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in sealed] == [e.seq for e in entries]
    assert [e.chain_seq for e in sealed] == [1, 2, 3]
    assert sealed[0].prev_hash == GENESIS and [e.prev_hash for e in sealed[1:]] == [e.hash for e in sealed[:2]]
    head = AuditHead.objects.get(id=1)
    assert (head.last_seq, head.last_hash) == (3, sealed[2].hash)
    assert seal() == 0 and verify() is None


@pytest.mark.django_db
def test_an_entry_left_unsealed_too_long_is_reported():
    record(actor=None, action="test.write", obj_type="thing", obj_id=1)
    AuditEntry.objects.update(at=timezone.now() - datetime.timedelta(minutes=10))
    seq, reason = verify(seal_first=False)
    assert seq == 1 and "unsealed for more than 120 s" in reason
    assert verify() is None  # sealed now: its content (its time included) is under the chain


@pytest.mark.django_db
def test_the_sealer_refuses_a_head_moved_back_to_reseal_edited_entries():
    """The attack the unlocked append opens: unseal entries, edit them, move the head back, and let the
    sealer (which holds the key) chain the forgery. Refused against the last checkpoint, and against
    what this process sealed itself."""
    _three()
    checkpoints.write()
    first = at(1).get()
    AuditEntry.objects.filter(chain_seq__gte=2).update(chain_seq=None, hash=None, prev_hash="", after={"n": 99})
    AuditHead.objects.filter(id=1).update(last_seq=1, last_hash=first.hash)
    with pytest.raises(services.SealRefused) as exc:
        seal()
    assert exc.value.problem[0] == 3
    services._last_sealed.clear()  # another process: only the checkpoint remembers
    with pytest.raises(services.SealRefused):
        seal()
    assert verify() == (3, f"entry #3 checkpointed at {checkpoints.read()[-1]['at']} is missing (chain truncated)")
    assert AuditEntry.objects.filter(chain_seq__isnull=True).count() == 2  # nothing was sealed


@pytest.mark.django_db
def test_the_sealer_refuses_a_head_that_is_not_the_last_entry():
    _three()
    seal()
    AuditHead.objects.filter(id=1).update(last_seq=2, last_hash=at(2).get().hash)  # moved back one
    services._last_sealed.clear()
    with pytest.raises(services.SealRefused) as exc:
        seal()
    assert exc.value.problem == (3, "sealed entries beyond the head (the head was moved back)")


@pytest.mark.django_db
def test_entries_chained_before_the_sealer_still_verify_after_the_migration():
    """Rows chained by the old record() (position = id, hash over "seq": id) are sealed by the
    migration setting chain_seq = seq; their hashes stay valid."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps as global_apps

    from onewindow.audit.services import entry_hash

    prev = GENESIS
    for i in range(1, 4):
        e = AuditEntry(seq=i, at=timezone.now(), actor_name="system", role="system", action="test.old",
                       object_type="thing", object_id=str(i), after={"n": i}, prev_hash=prev)
        e.chain_seq = i  # what the old code hashed as "seq"
        e.hash = prev = entry_hash(prev, hashed_fields(e))
        e.chain_seq = None  # as the rows stand before the migration
        e.save(force_insert=True)
    AuditHead.objects.update_or_create(id=1, defaults={"last_seq": 3, "last_hash": prev})
    migration = importlib.import_module("onewindow.audit.migrations.0003_unlocked_append_and_sealer")
    migration.chain_existing(global_apps, SimpleNamespace(connection=connection))  # it uses the editor's connection
    assert list(AuditEntry.objects.order_by("seq").values_list("chain_seq", flat=True)) == [1, 2, 3]
    assert verify() is None
    new = record(actor=None, action="test.new", obj_type="thing", obj_id=4)  # the sequence moved past the old ids
    assert new.seq > 3 and verify() is None and at(4).get().seq == new.seq


def _in_thread(target):
    errors = []

    def run():
        try:
            target()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    return t, errors


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_recording_at_once_do_not_block_each_other():
    """One transaction records and stays open; another records and commits within a lock timeout
    of 2 s, and the sealer runs meanwhile. Under the single head lock (ADR 0003) the second waited
    for the first's commit."""
    recorded, release = threading.Event(), threading.Event()
    ids = {}

    def slow():
        with transaction.atomic():
            ids["slow"] = record(actor=None, action="test.slow", obj_type="thing", obj_id=1).seq
            recorded.set()
            assert release.wait(20)

    t, errors = _in_thread(slow)
    try:
        assert recorded.wait(20)
        started = timezone.now()
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '2s'")
            ids["quick"] = record(actor=None, action="test.quick", obj_type="thing", obj_id=2).seq
        assert (timezone.now() - started).total_seconds() < 2
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '2s'")
            assert seal() == 1  # the committed one; the open transaction's entry is not visible yet
    finally:
        release.set()
        t.join(30)
        close_old_connections()
    assert errors == []
    assert ids["slow"] < ids["quick"]  # the slow one was inserted first …
    assert seal() == 1
    chain = dict(AuditEntry.objects.values_list("seq", "chain_seq"))
    assert chain == {ids["quick"]: 1, ids["slow"]: 2}  # … and committed late: a later position, no gap
    assert verify() is None


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_give_one_gap_free_chain():
    barrier = threading.Barrier(6)

    def write():
        barrier.wait(20)
        for i in range(30):
            with transaction.atomic():
                record(actor=None, action="test.write", obj_type="thing", obj_id=i)

    def sealer():
        barrier.wait(20)
        for _ in range(20):
            seal(batch=7)

    threads = [_in_thread(write) for _ in range(4)] + [_in_thread(sealer) for _ in range(2)]
    for t, _errors in threads:
        t.join(60)
    close_old_connections()
    assert [e for _t, errors in threads for e in errors] == []
    seal()
    assert sorted(AuditEntry.objects.values_list("chain_seq", flat=True)) == list(range(1, 121))
    assert verify() is None


@pytest.mark.django_db
def test_the_worker_loop_seals_and_reports_a_refusal_without_stopping():
    from io import StringIO

    from onewindow.core.management.commands.worker import Command

    cmd = Command(stdout=StringIO(), stderr=StringIO())
    jobs = cmd.every_jobs()
    assert [(label, seconds) for label, _f, seconds, _due in jobs] == [("audit seal", 2.0)]
    _three()
    cmd.run_every(jobs)
    assert list(AuditEntry.objects.order_by("seq").values_list("chain_seq", flat=True)) == [1, 2, 3]
    cmd.run_every(jobs)  # not due again yet: nothing happens
    AuditHead.objects.filter(id=1).update(last_hash="f" * 64)
    record(actor=None, action="test.write", obj_type="thing", obj_id=4)
    jobs[0][3] = 0.0  # due now
    cmd.run_every(jobs)
    assert "audit seal failed: audit chain broken at #3: the head does not match its entry" in cmd.stderr.getvalue()
    assert at(4).count() == 0
