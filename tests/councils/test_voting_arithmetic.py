"""Each voting rule's arithmetic, on both sides of every threshold (property tests)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from linli.councils.voting import Choice, OwnerWeight, Rule, render_line, tally_members, tally_owners


def owners(n, area="100"):
    return [OwnerWeight(owner=f"o{i}", area=Decimal(area)) for i in range(n)]


# ---- members present --------------------------------------------------------------------


@given(st.integers(1, 200), st.data())
def test_majority_is_strictly_more_than_half_of_present(members, data):
    present = data.draw(st.integers(0, members))
    yes = data.draw(st.integers(0, present))
    r = tally_members(rule=Rule.MAJORITY, members=members, present=present, votes=[Choice.FOR] * yes + [Choice.AGAINST] * (present - yes))
    quorum = Fraction(present, members) >= Fraction(1, 2)
    assert r.passed == (quorum and present > 0 and 2 * yes > present)


@given(st.integers(1, 200), st.data())
def test_two_thirds_of_present(members, data):
    present = data.draw(st.integers(0, members))
    yes = data.draw(st.integers(0, present))
    r = tally_members(rule=Rule.TWO_THIRDS, members=members, present=present, votes=[Choice.FOR] * yes)
    quorum = Fraction(present, members) >= Fraction(1, 2)
    assert r.passed == (quorum and present > 0 and 3 * yes >= 2 * present)


def test_member_thresholds_exactly():
    # 10 present: 5 is not a majority, 6 is; two thirds needs 7 (6.67 rounds up).
    assert not tally_members(rule=Rule.MAJORITY, members=12, present=10, votes=[Choice.FOR] * 5).passed
    assert tally_members(rule=Rule.MAJORITY, members=12, present=10, votes=[Choice.FOR] * 6).passed
    assert not tally_members(rule=Rule.TWO_THIRDS, members=12, present=9, votes=[Choice.FOR] * 5).passed
    assert tally_members(rule=Rule.TWO_THIRDS, members=12, present=9, votes=[Choice.FOR] * 6).passed
    # Quorum: 5 of 12 present is below half.
    assert not tally_members(rule=Rule.MAJORITY, members=12, present=5, votes=[Choice.FOR] * 5).passed


# ---- art. 278 ---------------------------------------------------------------------------


@given(st.integers(3, 90), st.data())
def test_owners_rule_equal_areas_matches_the_counts(n, data):
    """With equal areas, area shares equal head counts: the rule reduces to integer thresholds."""
    voters = data.draw(st.integers(0, n))
    yes = data.draw(st.integers(0, voters))
    ballots = {f"o{i}": (Choice.FOR if i < yes else Choice.AGAINST) for i in range(voters)}
    ordinary = tally_owners(rule=Rule.OWNERS, eligible=owners(n), ballots=ballots)
    special = tally_owners(rule=Rule.OWNERS_SPECIAL, eligible=owners(n), ballots=ballots)
    participation = 3 * voters >= 2 * n
    assert ordinary.passed == (participation and voters > 0 and 2 * yes > voters)
    assert special.passed == (participation and voters > 0 and 4 * yes >= 3 * voters)


@given(st.lists(st.integers(30, 300), min_size=3, max_size=60), st.data())
def test_owners_rule_needs_both_area_and_number(areas, data):
    eligible = [OwnerWeight(f"o{i}", Decimal(a)) for i, a in enumerate(areas)]
    voters = data.draw(st.sets(st.integers(0, len(areas) - 1)))
    yes = data.draw(st.sets(st.sampled_from(sorted(voters)))) if voters else set()
    ballots = {f"o{i}": (Choice.FOR if i in yes else Choice.AGAINST) for i in voters}
    total_area, part_area, yes_area = sum(areas), sum(areas[i] for i in voters), sum(areas[i] for i in yes)
    participation = 3 * part_area >= 2 * total_area and 3 * len(voters) >= 2 * len(areas)
    expected_ordinary = participation and bool(voters) and 2 * yes_area > part_area and 2 * len(yes) > len(voters)
    expected_special = participation and bool(voters) and 4 * yes_area >= 3 * part_area and 4 * len(yes) >= 3 * len(voters)
    assert tally_owners(rule=Rule.OWNERS, eligible=eligible, ballots=ballots).passed == expected_ordinary
    assert tally_owners(rule=Rule.OWNERS_SPECIAL, eligible=eligible, ballots=ballots).passed == expected_special


@given(st.integers(6, 60))
def test_participation_threshold_both_sides(n):
    """Exactly at 2/3 participates; one owner fewer (below 2/3) does not."""
    assume(n % 3 == 0)
    at = 2 * n // 3
    all_for = lambda k: {f"o{i}": Choice.FOR for i in range(k)}  # noqa: E731
    assert tally_owners(rule=Rule.OWNERS, eligible=owners(n), ballots=all_for(at)).passed
    assert not tally_owners(rule=Rule.OWNERS, eligible=owners(n), ballots=all_for(at - 1)).passed


@given(st.integers(2, 40))
def test_ordinary_approval_both_sides(half):
    """2·half participants: exactly half in favour fails, one more passes."""
    n = 2 * half
    ballots = {f"o{i}": (Choice.FOR if i < half else Choice.AGAINST) for i in range(n)}
    assert not tally_owners(rule=Rule.OWNERS, eligible=owners(n), ballots=ballots).passed
    ballots["o" + str(half)] = Choice.FOR
    assert tally_owners(rule=Rule.OWNERS, eligible=owners(n), ballots=ballots).passed


@given(st.integers(1, 20))
def test_special_approval_both_sides(k):
    """4k participants: 3k in favour is exactly 3/4 and passes, 3k−1 fails."""
    n = 4 * k
    ballots = {f"o{i}": (Choice.FOR if i < 3 * k else Choice.AGAINST) for i in range(n)}
    assert tally_owners(rule=Rule.OWNERS_SPECIAL, eligible=owners(n), ballots=ballots).passed
    ballots[f"o{3 * k - 1}"] = Choice.AGAINST
    assert not tally_owners(rule=Rule.OWNERS_SPECIAL, eligible=owners(n), ballots=ballots).passed


def test_area_can_block_what_numbers_carry():
    # 4 small flats vote for, 2 large against: a majority by number, not by area.
    eligible = [OwnerWeight(f"s{i}", Decimal("50")) for i in range(4)] + [OwnerWeight(f"l{i}", Decimal("200")) for i in range(2)]
    ballots = {**{f"s{i}": Choice.FOR for i in range(4)}, "l0": Choice.AGAINST, "l1": Choice.AGAINST}
    r = tally_owners(rule=Rule.OWNERS, eligible=eligible, ballots=ballots)
    assert not r.passed and r.figures["for_owners"] == 4
    assert any("同意" in render_line(item) for item in r.lines)


def test_one_owner_of_several_dwellings_counts_once_by_number():
    # The caller sums an owner's dwellings into one weight: 3 owners, not 4 dwellings.
    eligible = [OwnerWeight("multi", Decimal("180")), OwnerWeight("a", Decimal("90")), OwnerWeight("b", Decimal("90"))]
    r = tally_owners(rule=Rule.OWNERS, eligible=eligible, ballots={"multi": Choice.FOR, "a": Choice.AGAINST})
    assert r.figures["total_owners"] == 3
    # 2 of 3 owners (2/3) and 270 of 360 m² (3/4) participate; approval: 180/270 area but only 1 of 2 owners → fails.
    assert not r.passed


def test_votes_of_non_owners_are_ignored():
    r = tally_owners(rule=Rule.OWNERS, eligible=owners(3), ballots={"o0": Choice.FOR, "o1": Choice.FOR, "intruder": Choice.AGAINST})
    assert r.passed and r.figures["participating_owners"] == 2


def test_more_votes_than_present_is_an_error():
    with pytest.raises(ValueError):
        tally_members(rule=Rule.MAJORITY, members=5, present=2, votes=[Choice.FOR] * 3)
