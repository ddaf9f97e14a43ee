"""English translation of the UI: the en catalogue is complete and the pages switch language
by Accept-Language, by the language cookie and through the /i18n/setlang/ form."""

import gettext as gettext_module
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils.translation import trans_real

PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The .mo is built by `make` (git-ignored); build it here if it is missing or stale."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        call_command("compilemessages", locale=["en"], verbosity=0)
        # Forget catalogues loaded before the compile (Django's and the gettext module's caches).
        trans_real._translations = {}
        trans_real._default = None
        gettext_module._translations.clear()
    yield


# --- the catalogue --------------------------------------------------------------------------------

def _unquote(s: str) -> str:
    body = s.strip()
    assert body.startswith('"') and body.endswith('"'), body
    return (body[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t")
            .replace("\\\\", "\\"))


def parse_po(text: str) -> list[dict]:
    """A small .po parser: entries as {"flags", "msgid", "msgid_plural", "msgstr": {index: text}}."""
    entries, cur, field = [], None, None

    def flush():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#~"):  # obsolete entries are not compiled
            continue
        if line.startswith("#,"):
            if cur is not None and "msgid" in cur:
                flush()
                cur = None
            cur = cur or {"flags": set(), "msgstr": {}}
            cur["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgid|msgid_plural|msgctxt|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if m:
            key = m.group(1)
            if key in ("msgid", "msgctxt") and cur is not None and "msgid" in cur:
                flush()
                cur = None
            cur = cur or {"flags": set(), "msgstr": {}}
            if key.startswith("msgstr"):
                field = ("msgstr", int(m.group(2) or 0))
                cur["msgstr"][field[1]] = _unquote(m.group(3))
            else:
                field = (key, None)
                cur[key] = _unquote(m.group(3))
            continue
        assert line.startswith('"'), f"unexpected line in the .po file: {line!r}"
        if field[0] == "msgstr":
            cur["msgstr"][field[1]] += _unquote(line)
        else:
            cur[field[0]] += _unquote(line)
    flush()
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%")


def test_parser_reads_a_hand_written_catalogue():
    text = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: a.py:1
#, python-format
msgid "共 %(n)s 件"
msgid_plural "共 %(n)s 件"
msgstr[0] "%(n)s case"
msgstr[1] "%(n)s cases"

#, fuzzy
msgid "甲"
msgstr ""
"A "
"\\"b\\""

msgid "乙"
msgstr ""
'''
    entries = parse_po(text)
    assert [e["msgid"] for e in entries] == ["", "共 %(n)s 件", "甲", "乙"]
    assert entries[1]["msgstr"] == {0: "%(n)s case", 1: "%(n)s cases"}
    assert entries[1]["flags"] == {"python-format"}
    assert entries[2]["msgstr"] == {0: 'A "b"'} and "fuzzy" in entries[2]["flags"]
    assert entries[3]["msgstr"] == {0: ""}


def test_every_entry_of_the_english_catalogue_is_translated():
    entries = [e for e in parse_po(PO.read_text(encoding="utf-8")) if e["msgid"]]
    assert len(entries) > 700  # the whole UI, not a stub
    untranslated = [e["msgid"] for e in entries if not all(v.strip() for v in e["msgstr"].values())]
    assert untranslated == []
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert fuzzy == []
    for e in entries:
        expected = sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"])))
        if "msgid_plural" in e:
            assert set(e["msgstr"]) == {0, 1}, e["msgid"]
        for text in e["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(text)) == expected, (e["msgid"], text)
            # No Chinese left, except the Excel sheet names the importer expects verbatim.
            if "首行为中文表头" not in e["msgid"]:
                assert not re.search(r"[\u4e00-\u9fff]", text), (e["msgid"], text)


def test_the_header_is_not_fuzzy_and_declares_utf8():
    header = parse_po(PO.read_text(encoding="utf-8"))[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "charset=UTF-8" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]


def test_gettext_uses_the_compiled_catalogue():
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("办事指南") == "Service guide"
        assert translation.gettext("一次性告知书") == "One-time notice of missing materials"
        assert translation.ngettext("共 %(n)s 件", "共 %(n)s 件", 1) % {"n": 1} == "1 case in total"
        assert translation.ngettext("共 %(n)s 件", "共 %(n)s 件", 3) % {"n": 3} == "3 cases in total"
    with translation.override("zh-hans"):
        assert translation.gettext("办事指南") == "办事指南"


# --- pages ----------------------------------------------------------------------------------------

PAGES = {
    "/": (["Suzhou Government Service Centre", "Search service items", "Service guide", "Case tracking"],
          ["宿州市政务服务中心", "搜索办事事项", "办事指南", "办件查询"]),
    "/items/": (["Service guide · service item search", "Keyword", "Administrative licensing", "0 service items"],
                ["办事指南 · 事项检索", "关键词", "行政许可", "共 0 个事项"]),
    "/network/": (["Government service network", "Search sites or divisions"],
                  ["政务服务网络", "搜索场所或区划"]),
    "/lists/": (["Three lists", "power list, responsibility list and enterprise fee list"],
                ["三张清单", "权力清单、责任清单与涉企收费清单"]),
    "/track/": (["Case tracking", "Query code"], ["办件查询", "查询码"]),
    "/accounts/login/": (["Log in", "Username or mobile number", "Password", "Create an account"], ["登录", "用户名或手机号", "密码"]),
}

NAV_EN = ["Service guide", "Service network", "Three lists", "Case tracking", "Log in", "中文"]
NAV_ZH = ["办事指南", "服务网络", "三张清单", "办件查询", "登录", "English"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
def test_pages_in_english_by_accept_language(url):
    english, chinese = PAGES[url]
    r = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="en">' in html
    assert r["Content-Language"] == "en"
    for text in english + NAV_EN:
        assert text in html, (url, text)
    for text in chinese[:1] + ["一窗受理 · 一号申请"]:
        assert text not in html, (url, text)


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
@pytest.mark.parametrize("accept", [None, "zh-hans", "zh-CN,zh;q=0.9"])
def test_pages_default_to_chinese(url, accept):
    english, chinese = PAGES[url]
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    r = Client().get(url, **headers)
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="zh-hans">' in html
    for text in chinese + NAV_ZH:
        assert text in html, (url, text)
    assert english[0] not in html


@pytest.mark.django_db
def test_unsupported_language_falls_back_to_chinese():
    html = Client().get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "办事指南" in html and "Service guide" not in html


@pytest.mark.django_db
def test_language_cookie_wins_over_accept_language():
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = c.get("/items/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Service guide · service item search" in html and "办事指南 · 事项检索" not in html


@pytest.mark.django_db
def test_switching_language_with_the_setlang_form():
    c = Client()
    assert "办事指南" in c.get("/track/").content.decode()
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/track/"})
    assert r.status_code == 302 and r["Location"] == "/track/"
    assert r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = c.get("/track/").content.decode()
    assert "Case tracking" in html and "办件查询" not in html
    # ... and back to Chinese.
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/track/"})
    html = c.get("/track/").content.decode()
    assert "办件查询" in html and "Case tracking" not in html


@pytest.mark.django_db
def test_setlang_ignores_an_unknown_language():
    c = Client()
    r = c.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert r.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in r.cookies
    assert "办事指南" in c.get("/").content.decode()


@pytest.mark.django_db
def test_failed_login_message_in_english():
    r = Client().post("/accounts/login/", {"username": "nobody", "password": "wrong-password"},
                      HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert "Incorrect username or password. Please try again." in html
    assert "用户名或密码错误" not in html


# --- a staff page with data: state, action and event labels --------------------------------------

@pytest.mark.django_db
def test_case_page_labels_follow_the_language():
    from onewindow.cases import services
    from onewindow.cases.tests.factories import at, make_world, person

    w = make_world()
    with at(2026, 3, 2, 9):
        case = services.file_case(item="SCJG-XK-0001", applicant=person(), channel="window",
                                  materials=["M01", "M02", "M03"], actor=w.clerk)
    c = Client()
    c.force_login(w.clerk)
    url = f"/cases/{case.number}/"

    html = c.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Action labels (cases.transitions, gettext_noop) and the filing event, in English.
    for text in ["One-time notice", "Accept", "Rejection", "Withdraw application", "Submit application",
                 "Processing history", "Application materials"]:
        assert text in html, text
    for text in ["一次性告知", "撤回申请", "办理过程"]:
        assert text not in html, text
    # Data stays as entered.
    assert "食品经营许可" in html and "张三" in html

    html = c.get(url).content.decode()
    for text in ["一次性告知", "受理", "撤回申请", "提交申请", "办理过程", "申请材料"]:
        assert text in html, text
    assert "One-time notice" not in html and "Processing history" not in html

    # The message after an action is translated too, label included.
    with at(2026, 3, 2, 10):
        r = c.post(f"{url}act/accept/", {}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert r.status_code == 200
    assert "Done: Accept" in r.content.decode()
    case.refresh_from_db()
    assert case.state == "accepted"
