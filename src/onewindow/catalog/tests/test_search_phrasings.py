"""Search finds what people type: citizen phrasings written by hand, each with the item(s) it must
find in the top results, over the demo catalogue filled with generated variants (the variants carry
the same words, so they compete with the real items for the top places)."""

import pytest
from django.db import transaction

from onewindow.catalog import demo, search
from onewindow.catalog.generate import fill_catalogue
from onewindow.catalog.models import ItemVersion
from onewindow.catalog.selectors import search_items

pytestmark = pytest.mark.django_db

# (what a person types, codes that must all be in the top N, N)
PHRASINGS = [
    ("营业执照", {"SZ-SCJG-XK-0001", "SZ-SCJG-XK-0004"}, 5),
    ("我想开公司", {"SZ-SCJG-XK-0001"}, 3),
    ("开公司需要什么材料", {"SZ-SCJG-XK-0001"}, 3),
    ("开办企业", {"SZ-SCJG-XK-0001", "SZ-GAJ-QR-0009", "SZ-SWU-QR-0001"}, 6),
    ("社保", {"SZ-RSJ-GG-0001", "SZ-RSJ-GG-0002"}, 6),
    ("社保卡怎么办", {"SZ-RSJ-GG-0001"}, 1),
    ("医保", {"SZ-YBJ-GG-0001"}, 6),
    ("医保报销", {"SZ-YBJ-JF-0002"}, 3),
    ("异地就医", {"SZ-YBJ-GG-0002"}, 1),
    ("公积金贷款", {"SZ-GJJ-GG-0004"}, 1),
    ("公积金怎么取", {"SZ-GJJ-GG-0001", "SZ-GJJ-GG-0002", "SZ-GJJ-GG-0003"}, 5),
    ("租房提取公积金", {"SZ-GJJ-GG-0002"}, 3),
    ("身份证", {"SZ-GAJ-QR-0001", "SZ-GAJ-QR-0002"}, 3),
    ("身份证丢了怎么办", {"SZ-GAJ-QR-0001"}, 3),
    ("办护照", {"SZ-GAJ-XK-0001"}, 1),
    ("去香港要办什么", {"SZ-GAJ-XK-0002"}, 1),
    ("驾照到期换证", {"SZ-GAJ-XK-0004"}, 1),
    ("新车上牌", {"SZ-GAJ-XK-0003"}, 3),
    ("无犯罪证明", {"SZ-GAJ-QT-0001"}, 1),
    ("生孩子要办什么", {"SZ-WJW-GG-0001", "SZ-GAJ-QR-0006"}, 5),
    ("给宝宝上户口", {"SZ-GAJ-QR-0006"}, 3),
    ("打疫苗", {"SZ-WJW-GG-0002"}, 1),
    ("生育津贴", {"SZ-YBJ-GG-0003"}, 1),
    ("结婚登记", {"SZ-MZJ-QR-0001"}, 1),
    ("怎么办离婚", {"SZ-MZJ-QR-0002"}, 1),
    ("结婚证丢了", {"SZ-MZJ-QR-0003"}, 3),
    ("办退休", {"SZ-RSJ-JF-0002"}, 3),
    ("领养老金", {"SZ-RSJ-JF-0002"}, 3),
    ("失业金", {"SZ-RSJ-JF-0001"}, 1),
    ("孩子转学", {"SZ-JYJ-GG-0001"}, 1),
    ("低保", {"SZ-MZJ-JF-0001"}, 1),
    ("残疾证", {"SZ-CL-QR-0001"}, 1),
    ("人去世了要办什么", {"SZ-GAJ-QR-0007"}, 3),
    ("买二手房过户", {"SZ-BDC-QR-0001"}, 1),
    ("房产证", {"SZ-BDC-QR-0001"}, 5),
    ("刻公章", {"SZ-GAJ-QR-0009"}, 1),
    ("领发票", {"SZ-SWU-QR-0001"}, 1),
    ("注销公司", {"SZ-SCJG-XK-0003"}, 2),
    ("个体户营业执照", {"SZ-SCJG-XK-0004"}, 1),
    ("开饭店", {"SZ-SCJG-XK-0005"}, 3),
    ("开药店", {"SZ-SCJG-XK-0007"}, 1),
    ("烟草证", {"SZ-YC-XK-0001"}, 2),
    ("施工许可证", {"SZ-ZJJ-XK-0001"}, 1),
    ("环评", {"SZ-STHJ-XK-0001", "SZ-STHJ-XK-0002"}, 3),
    ("装电表", {"SZ-GD-GG-0001"}, 2),
    ("个税退税", {"SZ-SWU-ZS-0002"}, 1),
    ("食品经营许可", {"SZ-SCJG-XK-0005"}, 1),
    ("退役军人优待证", {"SZ-TYJR-QR-0001"}, 1),
    ("法律援助", {"SZ-SFJ-GG-0001"}, 1),
    ("网约车", {"SZ-JTJ-XK-0003"}, 1),
    ("公租房", {"SZ-FGJ-JF-0001"}, 1),
    ("教师资格证", {"SZ-JYJ-QR-0001"}, 1),
    ("ＳＺ－ＧＡＪ－ＸＫ－０００１", {"SZ-GAJ-XK-0001"}, 1),  # a code typed in full-width
]


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """Loaded once for the module inside a transaction that is rolled back at the end (each test
    runs in a savepoint of it), since loading and filling takes several seconds."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo.load()
        fill_catalogue(total=ItemVersion.objects.filter(is_current=True).count() + 200, progress=False)
        yield
        transaction.set_rollback(True)


def _top(q: str, n: int) -> list[str]:
    return [v.item.code for v in search_items(search=q, page_size=n).rows]


def test_at_least_forty_phrasings_find_their_items(catalogue):
    assert len(PHRASINGS) >= 40
    misses = []
    for q, expected, n in PHRASINGS:
        top = _top(q, n)
        if not expected <= set(top):
            misses.append((q, sorted(expected - set(top)), top))
    assert misses == []


def test_nonsense_and_fillers_alone_find_little(catalogue):
    assert search_items(search="量子纠缠望远镜").count == 0
    assert search_items(search="怎么办").count == 0


def test_themes_and_the_person_org_switch(catalogue):
    birth = {v.item.code for v in search_items(theme="birth", page_size=100).rows}
    assert {"SZ-WJW-GG-0001", "SZ-WJW-GG-0002", "SZ-GAJ-QR-0006", "SZ-YBJ-GG-0003"} <= birth
    assert "SZ-SCJG-XK-0001" not in birth
    start = {v.item.code for v in search_items(theme="start", subject="org", page_size=100).rows}
    assert {"SZ-SCJG-XK-0001", "SZ-GAJ-QR-0009", "SZ-SWU-QR-0001", "SZ-GJJ-GG-0005"} <= start
    # 个人 hides items only for organisations; 法人 hides items only for persons
    person = search_items(search="营业执照", subject="person", page_size=50).rows
    assert {v.subject for v in person} <= {"person", "both"} and "SZ-SCJG-XK-0004" in {v.item.code for v in person}
    assert "SZ-SCJG-XK-0001" not in {v.item.code for v in person}
    org = {v.item.code for v in search_items(search="身份证", subject="org", page_size=50).rows}
    assert "SZ-GAJ-QR-0001" not in org
    # a theme's name is a search word too
    assert "SZ-GAJ-QR-0007" in _top("身后事", 5)


def test_an_administrators_synonym_is_used_at_once(catalogue):
    from onewindow.catalog import vocabulary

    assert search_items(search="小饭桌").count == 0
    vocabulary.save_synonym(term="小饭桌", expansions="食品经营许可")
    assert _top("小饭桌", 1) == ["SZ-SCJG-XK-0005"]


def test_window_search_finds_the_bundle_and_its_items(catalogue):
    from onewindow.cases.page_selectors import search_catalogue

    items, bundles = search_catalogue("开办企业")
    assert [b.code for b in bundles] == ["YJS-KBQY"]
    assert "SZ-SCJG-XK-0001" in [v.item.code for v in items[:5]]
    items, bundles = search_catalogue("生孩子")
    assert "YJS-XSECS" in [b.code for b in bundles]


def test_hall_search_ranks_online_items(catalogue):
    from onewindow.portal.selectors import online_items

    codes = [v.item.code for v in online_items("社保卡")]
    online = set(ItemVersion.objects.filter(is_current=True, online_depth__in=["full", "prereview"])
                 .values_list("item__code", flat=True))
    assert codes and set(codes) <= online
    assert codes[0] == "SZ-RSJ-GG-0001" if "SZ-RSJ-GG-0001" in online else True


def test_query_parsing():
    q = search.parse("  我想开公司？ ")
    assert q.core == "开公司" and q.text == "我想开公司"
    assert search.parse("").empty and search.parse("   ").empty
    assert search.split_words("社会保险 社会保障卡、参保，工伤\n失业") == ["社会保险", "社会保障卡", "参保", "工伤", "失业"]
    assert search.bigrams("公积金贷款") == ["公积", "积金", "金贷", "贷款"]
