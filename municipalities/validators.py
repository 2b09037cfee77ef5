"""Local government codes (全国地方公共団体コード, JIS X 0402): five digits and a check digit."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = re.compile(r"^[0-9]{6}$", re.ASCII)
WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> int:
    """r = (6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5) mod 11; the check digit is (11 − r) mod 10."""
    remainder = sum(weight * int(digit) for weight, digit in zip(WEIGHTS, first_five, strict=True)) % 11
    return (11 - remainder) % 10


def is_valid_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code or "")) and check_digit(code[:5]) == int(code[5])


def validate_local_government_code(value: str) -> None:
    if not CODE_PATTERN.match(value or ""):
        raise ValidationError(
            _("A local government code has exactly six digits (e.g. 382019 for Matsuyama)."), code="format"
        )
    if check_digit(value[:5]) != int(value[5]):
        raise ValidationError(
            _("%(code)s is not a valid local government code: its check digit should be %(digit)s."),
            code="check_digit",
            params={"code": value, "digit": check_digit(value[:5])},
        )
