"""Numbers stay unique and gap-free, and one case takes one action at a time, under threads."""

import threading

import pytest
from django.db import close_old_connections, connection

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.factories import at, make_world, person
from onewindow.core.errors import Conflict


def _run_threads(n, target):
    errors, results = [], []
    barrier = threading.Barrier(n)

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_filing_numbers_unique_and_gap_free():
    w = make_world()
    per_thread = 5

    def file_many(i):
        return [services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                   actor=w.clerk).number for _ in range(per_thread)]

    with at(2026, 3, 2, 9):  # one patch for all threads
        results, errors = _run_threads(8, file_many)
    assert errors == []
    numbers = sorted(n for batch in results for n in batch)
    assert numbers == [f"34130020260302{i:06d}" for i in range(1, 41)]
    assert Case.objects.count() == 40


@pytest.mark.django_db(transaction=True)
def test_two_clerks_accepting_at_once_only_one_succeeds():
    w = make_world()
    case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                              materials=["M01", "M02", "M03"], actor=w.clerk)
    clerks = [w.clerk, w.clerk2]

    def accept(i):
        return services.perform(case.number, "accept", clerks[i]).state

    with at(2026, 3, 2, 10):
        results, errors = _run_threads(2, accept)
    assert results == ["accepted"]
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
