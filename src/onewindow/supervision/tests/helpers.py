import datetime

from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at, person

D = datetime.date


def filed(w, y, m, d, hour=9, minute=0, item=None, materials=None, channel="window", actor=None):
    item = item or w.item
    codes = [x.code for x in item.materials.all()] if materials is None else materials
    with at(y, m, d, hour, minute):
        return cases.file_case(item=item.item.code, applicant=person(), channel=channel, materials=codes,
                               actor=actor or (w.citizen if channel == "online" else w.clerk))


def accepted(w, y, m, d, hour=9, minute=0, item=None):
    case = filed(w, y, m, d, hour, minute, item=item)
    with at(y, m, d, hour, minute):
        return cases.perform(case.number, "accept", w.clerk)


def set_due(case, due):
    Case.objects.filter(pk=case.pk).update(due_date=due)
