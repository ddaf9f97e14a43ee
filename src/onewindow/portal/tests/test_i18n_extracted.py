"""Every string marked for translation in the source is in the English catalogue, translated and
not fuzzy (issue 13: the sign-in, second-factor and input-gate strings had been left out, so the
catalogue test in test_i18n.py passed while those pages stayed Chinese in English).

Extraction is Django's own `makemessages` (xgettext), run on a copy of the package so that the
catalogue in the tree is not touched."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from onewindow.portal.tests.test_i18n import PLACEHOLDER, parse_po

PACKAGE = Path(settings.LOCALE_PATHS[0]).parent
PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"

EXTRACT = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.conf.settings")
django.setup()
from django.core.management import call_command
call_command("makemessages", locale=["en"], no_location=True, no_obsolete=True, verbosity=0)
"""


def _extracted(tmp_path) -> set[str]:
    copy = tmp_path / "onewindow"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests", "static"))
    # -P: the copy's folder is not put on sys.path (its `queue` app would hide the standard library's)
    subprocess.run([sys.executable, "-P", "-c", EXTRACT], cwd=copy, check=True, timeout=300,
                   env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin:/usr/local/bin",
                        "DATABASE_URL": ""})
    return {e["msgid"] for e in parse_po((copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()) if e["msgid"]}


def test_every_string_of_the_source_is_in_the_catalogue_and_translated(tmp_path):
    extracted = _extracted(tmp_path)
    assert len(extracted) > 700
    catalogue = {e["msgid"]: e for e in parse_po(PO.read_text(encoding="utf-8")) if e["msgid"]}
    missing = sorted(m for m in extracted if m not in catalogue)
    assert missing == [], f"{len(missing)} strings of the source are not in the catalogue (add them and run `make messages`)"
    untranslated = sorted(m for m in extracted if not all(v.strip() for v in catalogue[m]["msgstr"].values()))
    assert untranslated == []
    fuzzy = sorted(m for m in extracted if "fuzzy" in catalogue[m]["flags"])
    assert fuzzy == []
    for m in extracted:  # the same placeholders, no Chinese left (the importer's sheet names excepted)
        for text in catalogue[m]["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(catalogue[m].get("msgid_plural", m))), m
            assert "首行为中文表头" in m or not re.search(r"[\u4e00-\u9fff]", text), (m, text)
