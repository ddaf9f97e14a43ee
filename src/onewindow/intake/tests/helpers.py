"""The case tests' small world, with the intake modes marked on its 食品经营许可 item:
M03 (经营场所平面图) deferrable, M04 and M03 replaceable by commitment, 告知承诺 allowed."""

from onewindow.cases.tests.factories import make_world
from onewindow.catalog.models import Material


def intake_world():
    w = make_world()
    Material.objects.filter(version=w.item, code="M03").update(deferrable=True, by_commitment=True)
    w.item.commitment_allowed = True
    w.item.commitment_text = "本人承诺经营场所符合食品安全要求，所述信息真实。"
    w.item.save(update_fields=["commitment_allowed", "commitment_text"])
    return w
