"""The database itself refuses a second applicant account with the same phone, ID number or credit code."""

import pytest
from django.db import IntegrityError, transaction

from onewindow.accounts.models import Role, User

pytestmark = pytest.mark.django_db

ID = "110102199101010078"
USCC = "91341300MA2N0X0E3T"


def _applicant(username, **fields):
    return User.objects.create_user(username=username, password="x" * 12, role=Role.APPLICANT, **fields)


@pytest.mark.parametrize(("field", "value"), [("phone", "13800000001"), ("id_number", ID), ("uscc", USCC)])
def test_second_applicant_with_the_same_key_is_refused(field, value):
    _applicant("a1", **{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        _applicant("a2", **{field: value})
    assert User.objects.filter(**{field: value}).count() == 1


def test_blank_keys_and_staff_accounts_may_repeat():
    _applicant("a1")
    _applicant("a2")  # no phone, ID or credit code yet
    User.objects.create_user(username="clerk1", password="x" * 12, role=Role.CLERK, phone="05523044000")
    User.objects.create_user(username="clerk2", password="x" * 12, role=Role.CLERK, phone="05523044000")  # office line
    _applicant("a3", phone="05523044000")  # an applicant may share a number with staff
    assert User.objects.filter(phone="05523044000").count() == 3
