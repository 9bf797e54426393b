import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from laborbridge.identifiers import (
    credit_code_check_char,
    id_number_birth_date,
    id_number_sex,
    mask_id_number,
    mask_phone,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

# A published specimen (GB 11643 annex example, a Beijing number) and Haier's real credit code.
VALID_ID = "11010519491231002X"
VALID_CREDIT = "91370200163562681G"


def _code(error: pytest.ExceptionInfo) -> str:
    return error.value.code


class TestResidentIdNumber:
    def test_valid_number_is_returned_normalised(self):
        assert validate_id_number(VALID_ID) == VALID_ID

    def test_birth_date_and_sex_are_derived(self):
        assert id_number_birth_date(VALID_ID) == dt.date(1949, 12, 31)
        assert id_number_sex(VALID_ID) == "female"  # 17th digit 2 is even
        assert id_number_sex("110105194912310038") == "male"  # 17th digit 3 is odd

    def test_wrong_checksum_is_refused(self):
        with pytest.raises(ValidationError) as error:
            validate_id_number(VALID_ID[:-1] + "5")
        assert _code(error) == "checksum"

    @pytest.mark.parametrize("number", [VALID_ID[:-1], VALID_ID + "1", "1101051949123"])
    def test_wrong_length_is_refused_with_the_length(self, number):
        with pytest.raises(ValidationError) as error:
            validate_id_number(number)
        assert _code(error) == "length"
        assert str(len(number)) in error.value.messages[0]

    def test_lowercase_x_is_accepted(self):
        assert validate_id_number(VALID_ID.lower()) == VALID_ID

    def test_full_width_digits_and_spaces_are_folded(self):
        full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID_ID)
        assert validate_id_number(f"\u3000{full_width[:6]} {full_width[6:]} ") == VALID_ID

    def test_scientific_notation_from_excel_explains_the_fix(self):
        with pytest.raises(ValidationError) as error:
            validate_id_number("6.21102199005E+17")
        assert _code(error) == "scientific_notation"
        assert "文本" in error.value.messages[0]

    def test_impossible_birth_date_is_refused(self):
        body = "62110219900231001"
        from laborbridge.identifiers import id_number_check_char

        with pytest.raises(ValidationError) as error:
            validate_id_number(body + id_number_check_char(body))
        assert _code(error) == "birth_date"

    def test_unknown_province_prefix_is_refused(self):
        body = "99110519491231002"
        from laborbridge.identifiers import id_number_check_char

        with pytest.raises(ValidationError) as error:
            validate_id_number(body + id_number_check_char(body))
        assert _code(error) == "region"

    def test_mask_keeps_region_and_last_four(self):
        assert mask_id_number(VALID_ID) == "110105********002X"


class TestCreditCode:
    def test_valid_code(self):
        assert validate_credit_code(VALID_CREDIT) == VALID_CREDIT

    def test_check_character_matches_the_standard(self):
        assert credit_code_check_char(VALID_CREDIT[:17]) == VALID_CREDIT[17]

    def test_wrong_checksum(self):
        with pytest.raises(ValidationError) as error:
            validate_credit_code(VALID_CREDIT[:-1] + "H")
        assert _code(error) == "checksum"

    @pytest.mark.parametrize("code", [VALID_CREDIT[:-1], VALID_CREDIT + "0"])
    def test_wrong_length(self, code):
        with pytest.raises(ValidationError) as error:
            validate_credit_code(code)
        assert _code(error) == "length"

    def test_lowercase_is_accepted(self):
        assert validate_credit_code(VALID_CREDIT.lower()) == VALID_CREDIT

    def test_full_width_characters_are_folded(self):
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID_CREDIT)
        assert validate_credit_code(full_width) == VALID_CREDIT

    def test_letters_outside_the_alphabet_are_named(self):
        with pytest.raises(ValidationError) as error:
            validate_credit_code("91370200I63562681G")
        assert _code(error) == "characters"
        assert "I" in error.value.messages[0]


class TestMobile:
    @pytest.mark.parametrize(
        "raw", ["13812345678", "+86 138 1234 5678", "138-1234-5678", "１３８１２３４５６７８"]
    )
    def test_accepts_common_ways_of_writing(self, raw):
        assert validate_mobile(raw) == "13812345678"

    @pytest.mark.parametrize("raw", ["1381234567", "23812345678", "0931-1234567", ""])
    def test_refuses_non_mobile(self, raw):
        with pytest.raises(ValidationError):
            validate_mobile(raw)

    def test_mask(self):
        assert mask_phone("13812345678") == "138****5678"
