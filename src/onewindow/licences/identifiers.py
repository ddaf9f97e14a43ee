"""Identifier check digits: citizen ID numbers, unified social credit codes, organisation codes.

Which library does what, and why:

* GB 11643-1999 citizen ID number (公民身份号码): python-stdnum's ``stdnum.cn.ric`` supplies the
  check character (``calc_check_digit``, ISO 7064 MOD 11-2) and the birth-date parse
  (``get_birth_date``). We do NOT call ``stdnum.cn.ric.validate`` as a whole, because it also
  looks the first six digits up in stdnum's bundled division table; that table lags the
  State Council's changes to divisions, and a platform that refused a resident's real ID card
  because a county was renamed would be worse than useless. Length, format, birth date and check
  character are checked; the birth date must not lie in the future or before 1900.

* GB 32100-2015 unified social credit code (统一社会信用代码): ``stdnum.cn.uscc.calc_check_digit``
  computes the final (18th) check character (weights 1,3,9,…,28, mod 31 over
  ``0-9ABCDEFGHJKLMNPQRTUWXY``). ``stdnum.cn.uscc.validate`` is not used as the gate because
  (a) it checks only that final character: it does NOT check the GB 11714 check character of the
  organisation code embedded in positions 9–17, and (b) it demands digits in positions 1–2,
  which refuses codes whose registration authority is a letter (e.g. the ``N2``/``N3`` codes the
  agriculture departments give to rural collective economic organisations). So the format rule
  here is: positions 1–2 from the GB 32100 charset, 3–8 digits, 9–18 from the charset; then the
  final check character; then the organisation-code check (GB 11714: 8 body characters, weights
  3,7,9,10,5,8,4,2, C9 = 11 − (Σ mod 11), 10 → 'X', 11 → '0'). All reference vectors in
  shared/data/README.md pass the organisation-code check as well.

Codes we generate (``generate_uscc``) always pass ``stdnum.cn.uscc.validate`` too, since they are
all digits in positions 1–8.
"""

import datetime
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext_lazy
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from onewindow.core.errors import ServiceError

# The GB 32100 character set: digits and capital letters without I, O, Z, S, V.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(rf"^[{USCC_CHARSET}]{{2}}[0-9]{{6}}[{USCC_CHARSET}]{{10}}$")
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_DIVISION_RE = re.compile(r"^[0-9]{6}$")

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_BODY_SPACE = len(USCC_CHARSET) ** 8  # sequences 0 .. 31**8 - 1 map to distinct bodies

# Messages (exported so callers and tests can compare exactly).
ID_FORMAT_ERROR = gettext_lazy("身份证号码格式错误：应为18位，前17位为数字，末位为数字或X")
ID_BIRTH_DATE_ERROR = gettext_lazy("身份证号码中的出生日期无效")
ID_CHECK_ERROR = gettext_lazy("身份证号码校验位错误，请核对号码")
USCC_FORMAT_ERROR = gettext_lazy("统一社会信用代码格式错误：应为18位，由数字和大写字母组成（不含I、O、Z、S、V），第3至8位为数字")
USCC_CHECK_ERROR = gettext_lazy("统一社会信用代码校验位错误，请核对代码")
USCC_ORG_CODE_ERROR = gettext_lazy("统一社会信用代码中的组织机构代码（第9至17位）校验码错误")


def normalize_identifier(value) -> str:
    """Full-width to half-width, surrounding/inner spaces and hyphens removed, upper case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s\-]", "", text).upper()


# ---------------------------------------------------------------- GB 11643 citizen ID number


def validate_id_number(value: str) -> str:
    """Return the normalised 18-character ID number, or raise ServiceError(fields={"id_number"})."""
    number = normalize_identifier(value)
    if not _ID_RE.match(number):
        raise ServiceError(str(ID_FORMAT_ERROR), fields={"id_number": str(ID_FORMAT_ERROR)})
    try:
        birth = _ric.get_birth_date(number)
    except Exception:  # stdnum raises InvalidComponent for an impossible date
        birth = None
    if birth is None or birth.year < 1900 or birth > timezone.localdate():
        raise ServiceError(str(ID_BIRTH_DATE_ERROR), fields={"id_number": str(ID_BIRTH_DATE_ERROR)})
    if number[-1] != id_number_check_char(number[:17]):
        raise ServiceError(str(ID_CHECK_ERROR), fields={"id_number": str(ID_CHECK_ERROR)})
    return number


def id_number_check_char(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) over the first 17 digits (stdnum's implementation,
    which expects a check place after them and ignores it)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("an ID number body has 17 digits")
    return _ric.calc_check_digit(first17 + "?")


def id_number_birth_date(value: str) -> datetime.date:
    """The birth date of a valid ID number (validates first)."""
    return _ric.get_birth_date(validate_id_number(value))


# ---------------------------------------------------------------- GB 11714 organisation code


def _org_char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise ValueError(f"not an organisation-code character: {char!r}")


def org_code_check_char(body: str) -> str:
    """GB 11714 check character of an 8-character organisation-code body."""
    if len(body) != 8:
        raise ValueError("organisation-code body must have 8 characters")
    total = sum(_org_char_value(c) * w for c, w in zip(body.upper(), ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def is_valid_org_code(code: str) -> bool:
    """True when a 9-character organisation code carries the right GB 11714 check character."""
    code = normalize_identifier(code)
    if len(code) != 9 or not re.match(r"^[0-9A-Z]{8}[0-9X]$", code):
        return False
    return org_code_check_char(code[:8]) == code[8]


# ---------------------------------------------------------------- GB 32100 unified social credit code


def uscc_check_char(first17: str) -> str:
    """GB 32100 final check character over the first 17 characters (stdnum's implementation)."""
    return _uscc.calc_check_digit(first17[:17])


def validate_uscc(value: str) -> str:
    """Return the normalised 18-character USCC, or raise ServiceError(fields={"uscc"})."""
    code = normalize_identifier(value)
    if not _USCC_RE.match(code):
        raise ServiceError(str(USCC_FORMAT_ERROR), fields={"uscc": str(USCC_FORMAT_ERROR)})
    if code[17] != uscc_check_char(code[:17]):
        raise ServiceError(str(USCC_CHECK_ERROR), fields={"uscc": str(USCC_CHECK_ERROR)})
    if not is_valid_org_code(code[8:17]):
        raise ServiceError(str(USCC_ORG_CODE_ERROR), fields={"uscc": str(USCC_ORG_CODE_ERROR)})
    return code


def org_code_body(sequence: int) -> str:
    """The 8 body characters for a sequence: its base-31 digits over the GB 32100 charset.

    A bijection on 0 .. 31**8 - 1, so distinct sequences give distinct bodies.
    """
    if not isinstance(sequence, int) or isinstance(sequence, bool):
        raise TypeError("sequence must be an int")
    if not 0 <= sequence < ORG_CODE_BODY_SPACE:
        raise ValueError(f"sequence must be in 0..{ORG_CODE_BODY_SPACE - 1}")
    chars = []
    n = sequence
    for _ in range(8):
        n, r = divmod(n, len(USCC_CHARSET))
        chars.append(USCC_CHARSET[r])
    return "".join(reversed(chars))


def generate_uscc(*, authority: str = "9", org_type: str = "1", division_code: str, sequence: int) -> str:
    """Build a valid USCC.

    authority: registration authority code (9 = 市场监管/工商); org_type: entity type under that
    authority (1 = 企业, 2 = 个体工商户, 3 = 农民专业合作社); division_code: the 6-digit division of
    the registering site; sequence: the per-division allocation number (see UsccSequence).

    Positions 9–16 are ``org_code_body(sequence)``, position 17 its GB 11714 check character,
    position 18 the GB 32100 check character. The GB 11714 check character is always a digit or
    'X', both in the GB 32100 charset, so no sequence ever has to be skipped: sequence n always
    gives the same code and distinct sequences give distinct codes within a division.
    """
    authority, org_type = str(authority).upper(), str(org_type).upper()
    if len(authority) != 1 or authority not in USCC_CHARSET:
        raise ValueError(f"bad registration authority code: {authority!r}")
    if len(org_type) != 1 or org_type not in USCC_CHARSET:
        raise ValueError(f"bad entity type code: {org_type!r}")
    if not _DIVISION_RE.match(str(division_code)):
        raise ValueError(f"division code must be 6 digits: {division_code!r}")
    body = org_code_body(sequence)
    org_code = body + org_code_check_char(body)
    first17 = f"{authority}{org_type}{division_code}{org_code}"
    code = first17 + uscc_check_char(first17)
    # Belt and braces: what we hand out must pass our own gate.
    return validate_uscc(code)
