"""Numbering under real concurrency: threads with their own connections, committed data."""

import datetime
import threading

import pytest
from django.db import connection

from onewindow.catalog.models import Department, LicenceType
from onewindow.licences.models import EnterpriseRegistration, Licence
from onewindow.licences.services import issue_licence, register_enterprise
from onewindow.regions.models import Region

from .test_identifiers import ref_uscc_ok

THREADS = 8
PER_THREAD = 5


def run_threads(work):
    barrier = threading.Barrier(THREADS)
    results, errors = [], []
    lock = threading.Lock()

    def target(i):
        try:
            barrier.wait(timeout=30)
            out = [work(i, k) for k in range(PER_THREAD)]
            with lock:
                results.extend(out)
        except Exception as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    return results


@pytest.fixture
def dept(transactional_db):
    region = Region.objects.create(code="341300", name="宿州市", level="city")
    return Department.objects.create(code="SCJG", name="宿州市市场监督管理局", region=region)


@pytest.mark.django_db(transaction=True)
def test_concurrent_issue_no_duplicates_no_gaps(dept):
    lt = LicenceType.objects.create(code="SPJY", name="食品经营许可证", department=dept, validity_years=5)

    def work(i, k):
        return issue_licence(licence_type=lt, holder_kind="person", holder_name=f"申请人{i}-{k}",
                             holder_id="412723199010050012", department=dept,
                             issued_on=datetime.date(2024, 7, 1)).number

    numbers = run_threads(work)
    expected = [f"SPJY-2024-{n:06d}" for n in range(1, THREADS * PER_THREAD + 1)]
    assert sorted(numbers) == expected
    assert sorted(Licence.objects.values_list("number", flat=True)) == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_distinct_codes(dept):
    def work(i, k):
        return register_enterprise(name=f"并发测试{i}-{k}有限公司", enterprise_type="llc", legal_representative="王五",
                                   registered_capital=10, address="宿州市", division_code="341302",
                                   case_number="", registered_on=datetime.date(2024, 7, 1)).uscc

    codes = run_threads(work)
    assert len(codes) == len(set(codes)) == THREADS * PER_THREAD
    assert all(ref_uscc_ok(c) for c in codes)
    # sequences 1..40, base 31, in positions 9-16
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    sequences = sorted(sum(charset.index(ch) * 31 ** (7 - j) for j, ch in enumerate(c[8:16])) for c in codes)
    assert sequences == list(range(1, THREADS * PER_THREAD + 1))
    assert EnterpriseRegistration.objects.count() == THREADS * PER_THREAD
    assert sorted(Licence.objects.values_list("number", flat=True)) == [
        f"YYZZ-2024-{n:06d}" for n in range(1, THREADS * PER_THREAD + 1)
    ]
