import datetime

import pytest
from django.contrib.auth import get_user_model

from onewindow.licences.models import Licence
from onewindow.licences.services import issue_licence, register_enterprise


@pytest.fixture
def admin_client_cn(client, db):
    user = get_user_model().objects.create_superuser("lic-admin", "a@example.com", "demo12345")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_admin_pages_read_only(admin_client_cn, food_type, market_dept):
    lic = issue_licence(licence_type=food_type, holder_kind="person", holder_name="张三",
                        holder_id="360426199101010071", department=market_dept, issued_on=datetime.date(2024, 3, 15))
    reg = register_enterprise(name="宿州市某某有限公司", enterprise_type="llc", legal_representative="李四",
                              registered_capital=50, address="宿州市", division_code="341302", case_number="")
    page = admin_client_cn.get("/admin/licences/licence/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "JYXK-2024-000001" in text and "电子证照" in text
    assert admin_client_cn.get(f"/admin/licences/licence/{lic.pk}/change/").status_code == 200
    assert admin_client_cn.get("/admin/licences/licence/add/").status_code == 403
    page = admin_client_cn.get("/admin/licences/enterpriseregistration/?q=" + reg.uscc)
    assert page.status_code == 200 and reg.uscc in page.content.decode()
    assert admin_client_cn.get(f"/admin/licences/enterpriseregistration/{reg.pk}/change/").status_code == 200
    # the admin action revokes through the service
    resp = admin_client_cn.post("/admin/licences/licence/", {"action": "revoke_selected", "_selected_action": [lic.pk]})
    assert resp.status_code == 302
    assert Licence.objects.get(pk=lic.pk).status == "revoked"
