"""ID numbers (GB 11643): property tests on the validator."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from linli.core import idcard

regions = st.sampled_from(["110101", "340102", "341103", "440305", "650102", "820000"])
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(regions, births, sequences)
def test_every_built_number_parses_back(region, born, seq):
    number = idcard.make(region, born, seq)
    parsed = idcard.parse(number)
    assert parsed.birth_date == born
    assert parsed.gender == ("M" if seq % 2 else "F")


@given(regions, births, sequences, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_caught(region, born, seq, position, delta):
    number = idcard.make(region, born, seq)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        idcard.parse(changed)


@given(regions, births, sequences)
def test_wrong_check_character_is_rejected(region, born, seq):
    number = idcard.make(region, born, seq)
    for c in "0123456789X":
        if c != number[-1]:
            with pytest.raises(ValidationError) as e:
                idcard.parse(number[:-1] + c)
            assert e.value.code == "check_digit"


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(text):
    try:
        idcard.parse(text)
    except ValidationError:
        pass


def test_lowercase_x_and_spaces_are_normalised():
    number = idcard.make("110101", date(1990, 3, 7), 1)
    assert number == "11010119900307001" + number[-1]
    # Find a sequence whose check character is X.
    for seq in range(1000):
        n = idcard.make("110101", date(1990, 3, 7), seq)
        if n.endswith("X"):
            assert idcard.parse(" " + n[:-1] + "x ").number == n
            break
    else:  # pragma: no cover
        pytest.fail("no X check digit found")


@pytest.mark.parametrize(
    "raw, code",
    [
        ("12345", "length"),
        ("11010119900307001A", "format"),
        ("99010119900307001" + "0", "region"),
        (idcard.make("110101", date(1990, 3, 7), 1)[:10] + "1399" + "0011", "birth_date"),
    ],
)
def test_reasons(raw, code):
    with pytest.raises(ValidationError) as e:
        idcard.parse(raw)
    assert e.value.code == code


def test_future_birth_date_is_rejected():
    number = idcard.make("110101", date(2030, 1, 1), 1)
    with pytest.raises(ValidationError):
        idcard.parse(number, today=date(2026, 11, 23))
