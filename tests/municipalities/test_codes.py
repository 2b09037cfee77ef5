import csv

import pytest
from django.core.exceptions import ValidationError

from municipalities.services import NATIONAL_CSV
from municipalities.validators import check_digit, is_valid_code, validate_local_government_code


@pytest.mark.parametrize("code", ["380008", "382019", "011002", "131016", "472018"])
def test_real_codes_are_valid(code):
    assert is_valid_code(code)
    validate_local_government_code(code)


def test_every_code_of_the_national_list_passes_its_check_digit():
    with NATIONAL_CSV.open(encoding="utf-8") as handle:
        codes = [row["jis_code"] for row in csv.DictReader(handle)]
    assert len(codes) == 1788
    assert all(is_valid_code(code) for code in codes)


def test_check_digit_follows_the_formula():
    # Matsuyama 38201: 6*3 + 5*8 + 4*2 + 3*0 + 2*1 = 68; 68 mod 11 = 2; (11 - 2) mod 10 = 9
    assert check_digit("38201") == 9
    # Ehime 38000: 6*3 + 5*8 = 58; 58 mod 11 = 3; (11 - 3) mod 10 = 8
    assert check_digit("38000") == 8


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("382018", "check_digit"),
        ("380009", "check_digit"),
        ("38201", "format"),
        ("3820190", "format"),
        ("38201a", "format"),
        ("", "format"),
        ("３８２０１９", "format"),
    ],
)
def test_bad_codes_are_rejected_with_a_clear_message(code, reason):
    assert not is_valid_code(code)
    with pytest.raises(ValidationError) as error:
        validate_local_government_code(code)
    assert error.value.code == reason


def test_message_is_in_the_users_language():
    from django.utils import translation

    with pytest.raises(ValidationError) as error:
        validate_local_government_code("382018")
    with translation.override("ja"):
        assert "チェックディジット" in error.value.messages[0]
    with translation.override("en"):
        assert "check digit should be 9" in error.value.messages[0]
