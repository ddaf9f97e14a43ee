from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.tests.factories import make_world
from onewindow.catalog.models import ItemVersion


def online_world():
    """The cases test world with the food licence item open for full online service."""
    w = make_world()
    ItemVersion.objects.filter(pk=w.item.pk).update(online_depth="full")
    # Online filing needs every required material: here only M01 is to be uploaded (M02 is covered
    # by the citizens' e-licences below, M03 is made optional so that tests can notice it).
    w.item.materials.filter(code="M03").update(required=False)
    w.citizen.phone = "13800000001"
    w.citizen.email = "zhangsan@example.cn"
    w.citizen.save()
    # Both citizens hold an e-licence 居民身份证, so that 申请人身份证明 (M02) is 免提交 online.
    from onewindow.licences.services import issue_licence

    for u in (w.citizen, w.citizen2):
        issue_licence(licence_type=w.id_card, holder_kind="person", holder_name=u.display_name,
                      holder_id=u.id_number, department=None)
    return w


def upload(name, data, ctype="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=ctype)
