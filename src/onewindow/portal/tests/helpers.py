from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.tests.factories import make_world
from onewindow.catalog.models import ItemVersion


def online_world():
    """The cases test world with the food licence item open for full online service."""
    w = make_world()
    ItemVersion.objects.filter(pk=w.item.pk).update(online_depth="full")
    w.citizen.phone = "13800000001"
    w.citizen.email = "zhangsan@example.cn"
    w.citizen.save()
    return w


def upload(name, data, ctype="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=ctype)
