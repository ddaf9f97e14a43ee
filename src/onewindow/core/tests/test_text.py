"""The ground floor's text rules: invisible characters, names, masks (expected values by hand)."""

import pytest

from onewindow.core.errors import ServiceError
from onewindow.core.text import clean_name, mask_id_number, mask_phone, strip_invisible, text_problem


def test_masks():
    assert mask_id_number("110102199101010078") == "1101**********0078"
    assert mask_id_number("91340600MA2PBM9HXD") == "9134**********9HXD"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0557-3012345") == "055*****2345"
    assert mask_phone("") == "" and mask_id_number("123") == "***"


def test_invisible_characters_and_names():
    assert strip_invisible("\u200b张\u200d三\ufeff\u3000") == "张三"
    assert clean_name(" \u2060宿州市一窗科技有限公司\u200e ") == "宿州市一窗科技有限公司"
    for blank in ["", "\u200b", "\u3000\u200c", "\ufeff "]:
        with pytest.raises(ServiceError) as exc:
            clean_name(blank, "applicant.name")
        assert exc.value.fields == {"applicant.name": "必填"}
    with pytest.raises(ServiceError):
        clean_name("张\x00三")


@pytest.mark.parametrize("text, bad", [("a\tb\nc\r", False), ("a\x00", True), ("\x1f", True), ("\x7f", True),
                                       ("\x85", True), ("\ud800", True), ("正常文字", False)])
def test_text_problem(text, bad):
    assert (text_problem(text) is not None) is bad
