"""Small hand-made catalogue for the catalogue page/API/Excel tests (created through the ORM)."""

from onewindow.catalog.models import Department, Fee, ItemVersion, LicenceType, Material, ServiceItem
from onewindow.regions.models import Region, Site


def make_catalogue() -> dict:
    city = Region.objects.create(code="341300", name="宿州市", level="city")
    county = Region.objects.create(code="341302", name="埇桥区", level="county", parent=city)
    scjg = Department.objects.create(code="SZ-SCJG", name="市市场监督管理局", region=city, order=1)
    gaj = Department.objects.create(code="SZ-GAJ", name="市公安局", region=city, order=2)
    other = Department.objects.create(code="SZ-QXJ", name="市气象局", region=city, order=3, stationed=False)
    yyzz = LicenceType.objects.create(code="YYZZ", name="营业执照", department=scjg)

    food = ServiceItem.objects.create(code="SZ-SCJG-XK-0001", department=scjg)
    ItemVersion.objects.create(item=food, version=1, is_current=False, name="食品经营许可（旧）", type="licensing",
                               statutory_days=20, committed_days=10)
    food_v = ItemVersion.objects.create(
        item=food, version=2, name="食品经营许可", type="licensing", subject="org", levels=["city", "county"],
        legal_basis="《中华人民共和国食品安全法》第三十五条", conditions="具有与经营的食品品种、数量相适应的经营场所",
        statutory_days=20, committed_days=5, process_steps=["申请", "受理", "审查", "决定"],
        online_depth="full", max_visits=0, result_name="食品经营许可证", licence_type=None,
        responsibilities="受理责任：公示依法应当提交的材料", accountability="对符合条件不予受理的",
        where_to_go="宿州市政务服务中心二楼市场监管窗口", consult_phone="0557-3021234",
    )
    Material.objects.create(version=food_v, code="M01", name="食品经营许可申请书", required=True, form="original",
                            copies=1, order=0)
    Material.objects.create(version=food_v, code="M02", name="营业执照复印件", required=True, form="copy", copies=2,
                            licence_type=yyzz, order=1)
    Material.objects.create(version=food_v, code="M03", name="授权委托书", required=False, form="original",
                            copies=1, note="委托办理时提交", order=2)

    fine = ServiceItem.objects.create(code="SZ-SCJG-CF-0001", department=scjg)
    ItemVersion.objects.create(item=fine, version=1, name="对未取得食品经营许可从事经营活动的处罚", type="penalty",
                               levels=["city"], statutory_days=90, committed_days=60, online_depth="window")

    hukou = ServiceItem.objects.create(code="SZ-GAJ-GG-0001", department=gaj)
    hukou_v = ItemVersion.objects.create(item=hukou, version=1, name="户籍证明开具", type="public_service",
                                         subject="person", levels=["county", "town"], statutory_days=6,
                                         committed_days=0, online_depth="prereview")
    Material.objects.create(version=hukou_v, code="M01", name="居民身份证", required=True, form="original", order=0)

    seal = ServiceItem.objects.create(code="SZ-GAJ-QR-0001", department=gaj)
    seal_v = ItemVersion.objects.create(item=seal, version=1, name="印章刻制备案", type="confirmation", subject="org",
                                        levels=["city"], statutory_days=10, committed_days=3,
                                        responsibilities="", accountability="违规备案的，依法追责")
    Fee.objects.create(version=seal_v, name="印章工本费", standard="每枚30元", basis="皖价服〔2015〕88号",
                       enterprise_related=True, order=0)
    Fee.objects.create(version=seal_v, name="加急服务费", standard="每件5元", basis="宿价〔2016〕1号",
                       enterprise_related=False, order=1)

    city_site = Site.objects.create(code="S-341300", name="宿州市政务服务中心", level="city", kind="centre",
                                    region=city)
    for i in range(2):
        Site.objects.create(code=f"S-C{i}", name=f"县区中心{i}", level="county", kind="centre", region=county,
                            parent=city_site)
    for i in range(3):
        Site.objects.create(code=f"S-T{i}", name=f"便民服务中心{i}", level="town", kind="convenience",
                            region=county)
    return {"scjg": scjg, "gaj": gaj, "other": other, "yyzz": yyzz, "food": food, "food_v": food_v,
            "fine": fine, "hukou": hukou, "seal": seal, "seal_v": seal_v}
