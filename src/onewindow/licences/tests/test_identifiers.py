"""Check characters against the reference vectors and an independent implementation of the
standards (written here from the standards' weights, importing nothing from identifiers)."""

import pytest
from stdnum.cn import uscc as stdnum_uscc

from onewindow.core.errors import ServiceError
from onewindow.licences.identifiers import (
    ID_BIRTH_DATE_ERROR,
    ID_CHECK_ERROR,
    ID_FORMAT_ERROR,
    USCC_CHECK_ERROR,
    USCC_FORMAT_ERROR,
    USCC_ORG_CODE_ERROR,
    generate_uscc,
    id_number_check_char,
    validate_id_number,
    validate_uscc,
)

# ---- independent reference implementations -------------------------------------------------

REF_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V
REF_W32100 = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
REF_W11714 = [3, 7, 9, 10, 5, 8, 4, 2]
REF_W11643 = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def ref_gb32100_check(first17):
    total = 0
    for i in range(17):
        total += REF_CHARSET.index(first17[i]) * REF_W32100[i]
    c = 31 - total % 31
    if c == 31:
        c = 0
    return REF_CHARSET[c]


def ref_gb11714_check(body8):
    total = 0
    for i in range(8):
        ch = body8[i]
        value = int(ch) if ch in "0123456789" else ord(ch) - ord("A") + 10
        total += value * REF_W11714[i]
    c = 11 - total % 11
    if c == 10:
        return "X"
    if c == 11:
        return "0"
    return str(c)


def ref_gb11643_check(first17):
    total = sum(int(first17[i]) * REF_W11643[i] for i in range(17))
    return "10X98765432"[total % 11]


def ref_uscc_ok(code):
    return (
        len(code) == 18
        and all(c in REF_CHARSET for c in code)
        and code[2:8].isdigit()
        and ref_gb32100_check(code[:17]) == code[17]
        and ref_gb11714_check(code[8:16]) == code[16]
    )


VALID_USCC = ["91110000600037341L", "91110108551385082Q", "91340600MA2PBM9HXD", "92340621MA2UK3PJXE"]
VALID_IDS = ["360426199101010071", "44011320141005001X", "412723199010050012", "110102199101010078"]


def refused(func, value):
    with pytest.raises(ServiceError) as exc:
        func(value)
    return exc.value


# ---- the reference implementations agree with the published vectors --------------------------


def test_reference_implementation_agrees_with_vectors():
    for code in VALID_USCC:
        assert ref_uscc_ok(code)
    assert not ref_uscc_ok("91350203M0001QAY9B")
    for number in VALID_IDS:
        assert ref_gb11643_check(number[:17]) == number[17]


# ---- citizen ID numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers_accepted(number):
    assert validate_id_number(number) == number


@pytest.mark.parametrize("number", VALID_IDS)
def test_every_wrong_last_char_refused_with_check_message(number):
    for wrong in "0123456789X":
        if wrong == number[-1]:
            continue
        err = refused(validate_id_number, number[:-1] + wrong)
        assert err.message == ID_CHECK_ERROR
        assert "校验位错误" in err.message and "格式错误" not in err.message
        assert err.fields == {"id_number": ID_CHECK_ERROR}


def test_lower_case_x_and_spaces_normalized():
    assert validate_id_number("44011320141005001x") == "44011320141005001X"
    assert validate_id_number("  44011320141005001x ") == "44011320141005001X"
    assert validate_id_number("４４０１１３２０１４１００５００１Ｘ") == "44011320141005001X"  # full-width


@pytest.mark.parametrize(
    "value",
    ["", None, "36042619910101007", "3604261991010100711", "360426910101007", "36042619910101A071",
     "36042619910101007Y", "X60426199101010071"],
)
def test_bad_format_refused_with_format_message(value):
    err = refused(validate_id_number, value)
    assert err.message == ID_FORMAT_ERROR
    assert "格式错误" in err.message
    assert set(err.fields) == {"id_number"}


def with_id_check(first17):
    return first17 + ref_gb11643_check(first17)


@pytest.mark.parametrize("first17", ["36042619910230007", "36042619911301007", "36042618991231007",
                                      "36042620990101007"])
def test_impossible_or_future_birth_date_refused(first17):
    # the check character is right, so only the date can be wrong
    err = refused(validate_id_number, with_id_check(first17))
    assert err.message == ID_BIRTH_DATE_ERROR


def test_id_number_check_char_agrees_with_the_reference_on_every_last_digit_and_refuses_bad_bodies():
    # one body per possible check character (0-9 and X) and then some: the reference decides
    bodies = [f"341302{1950 + i:04d}0{1 + i % 9}1{i % 10}{i:03d}" for i in range(60)]
    assert len({ref_gb11643_check(b) for b in bodies}) == 11
    for body in bodies:
        assert id_number_check_char(body) == ref_gb11643_check(body)
    for bad in ("3413021990010100", "341302199001010012", "34130219900101001X"):
        with pytest.raises(ValueError):
            id_number_check_char(bad)


def test_leap_day_birth_date_accepted():
    number = with_id_check("34130220000229001")
    assert validate_id_number(number) == number


# ---- unified social credit codes ------------------------------------------------------------


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_uscc_accepted(code):
    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code
    assert validate_uscc(f" {code[:8]} {code[8:]} ") == code


def test_invalid_vector_refused_with_check_message():
    err = refused(validate_uscc, "91350203M0001QAY9B")
    assert err.message == USCC_CHECK_ERROR
    assert err.fields == {"uscc": USCC_CHECK_ERROR}


@pytest.mark.parametrize("code", VALID_USCC)
def test_every_wrong_final_char_refused(code):
    for wrong in REF_CHARSET:
        if wrong != code[-1]:
            assert refused(validate_uscc, code[:-1] + wrong).message == USCC_CHECK_ERROR


@pytest.mark.parametrize("code", VALID_USCC)
def test_corrupted_org_check_with_recomputed_final_char_refused(code):
    for wrong in "0123456789X":
        if wrong == code[16]:
            continue
        first17 = code[:16] + wrong
        forged = first17 + ref_gb32100_check(first17)
        assert stdnum_uscc.is_valid(forged)  # stdnum alone does not see it: the org check is ours
        err = refused(validate_uscc, forged)
        assert err.message == USCC_ORG_CODE_ERROR
        assert err.fields == {"uscc": USCC_ORG_CODE_ERROR}


@pytest.mark.parametrize(
    "value",
    ["", "91340600MA2PBM9HX", "91340600MA2PBM9HXDD", "91340600MA2PBM9HID", "91340600MA2PBO9HXD",
     "913406Z0MA2PBM9HXD", "9134060OMA2PBM9HXD", "91340600MA2PBM9H#D", "I1340600MA2PBM9HXD"],
)
def test_uscc_format_refused(value):
    err = refused(validate_uscc, value)
    assert err.message == USCC_FORMAT_ERROR
    assert "格式错误" in err.message


def test_three_uscc_messages_are_distinct():
    assert len({USCC_FORMAT_ERROR, USCC_CHECK_ERROR, USCC_ORG_CODE_ERROR}) == 3
    assert len({ID_FORMAT_ERROR, ID_CHECK_ERROR, ID_BIRTH_DATE_ERROR}) == 3


# ---- generation ------------------------------------------------------------------------------


def test_generate_known_codes():
    # sequence 1: body 00000001; GB 11714: 1*2 = 2, 11 - 2 = 9 -> org code 000000019
    code = generate_uscc(division_code="341302", sequence=1)
    assert code[:17] == "91341302000000019"
    assert code[17] == ref_gb32100_check("91341302000000019")
    # sequence 31 -> body 00000010 (base 31); 1*4 = 4, 11 - 4 = 7
    assert generate_uscc(division_code="341302", sequence=31)[8:17] == "000000107"
    # sequence 10 -> body 0000000A; 10*2 = 20, 20 mod 11 = 9, 11 - 9 = 2
    assert generate_uscc(division_code="341302", sequence=10)[8:17] == "0000000A2"
    # sequence 18 -> 'J' (charset index 18, I skipped) whose GB 11714 value is still J = 19:
    # 19*2 = 38, 38 mod 11 = 5, 11 - 5 = 6
    assert generate_uscc(division_code="341302", sequence=18)[8:17] == "0000000J6"
    assert generate_uscc(org_type="2", division_code="341302", sequence=1).startswith("92341302")


def test_generated_codes_pass_independent_validators():
    codes = [generate_uscc(division_code="341302", sequence=n) for n in range(1, 501)]
    codes += [generate_uscc(division_code="341322", sequence=n * 7919 + 123456789) for n in range(500)]
    assert len(set(codes)) == len(codes)
    check_chars = set()
    for code in codes:
        assert ref_uscc_ok(code), code
        assert stdnum_uscc.is_valid(code), code
        assert validate_uscc(code) == code
        check_chars.add(code[16])
    assert "X" in check_chars and "0" in check_chars  # both special GB 11714 results occur


def test_generate_is_deterministic_and_refuses_bad_input():
    assert generate_uscc(division_code="341300", sequence=42) == generate_uscc(division_code="341300", sequence=42)
    for kwargs in [{"division_code": "34130", "sequence": 1}, {"division_code": "34130A", "sequence": 1},
                   {"division_code": "341300", "sequence": -1}, {"division_code": "341300", "sequence": 31**8},
                   {"authority": "I", "division_code": "341300", "sequence": 1}]:
        with pytest.raises(ValueError):
            generate_uscc(**kwargs)
