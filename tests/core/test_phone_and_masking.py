import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from linli.core import phone
from linli.core.logging import redact
from linli.core.masking import mask_id_number, mask_name, mask_phone

mobiles = st.builds(lambda second, rest: f"1{second}{rest:09d}", st.sampled_from("3456789"), st.integers(0, 999_999_999))


@given(mobiles)
def test_valid_mobiles_parse_with_and_without_prefix(number):
    assert phone.parse(number) == number
    assert phone.parse("+86 " + number) == number
    assert phone.parse(f"{number[:3]}-{number[3:7]}-{number[7:]}") == number


@given(st.text(alphabet="0123456789", max_size=15))
def test_only_eleven_digit_mobiles_pass(digits):
    ok = len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    if ok:
        assert phone.parse(digits) == digits
    else:
        with pytest.raises(ValidationError):
            phone.parse(digits)


@given(st.text(alphabet="0123456789X", min_size=18, max_size=18))
def test_id_mask_keeps_first_six_and_last_four(number):
    masked = mask_id_number(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert masked[6:-4] == "*" * 8


@given(mobiles)
def test_phone_mask_hides_middle_four(number):
    masked = mask_phone(number)
    assert masked == number[:3] + "****" + number[-4:]


def test_name_mask():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


@given(mobiles)
def test_log_redaction_never_lets_a_phone_through(number):
    assert number not in redact(f"called {number} today")


def test_log_redaction_of_id_numbers():
    assert redact("id 110101199003070015 seen") == "id 110101********0015 seen"
