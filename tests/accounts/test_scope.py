"""The scope mechanism: a community-wide reach filters on a row's own community column where the
domain registered one, and selects exactly the rows the place-tree condition selects."""

from django.db.models import Q

from linli.accounts import scope as scope_mechanism
from linli.accounts.scope import scope_for
from linli.appeals.access import VIEW_APPEALS
from linli.appeals.models import Appeal
from linli.registry.models import Place, PlaceKind


def test_a_community_reach_filters_on_the_community_column_and_selects_the_same_rows(world, new_appeal):
    here = new_appeal()
    there = new_appeal(place=Place.objects.get(path__startswith=world.far_building.path, kind=PlaceKind.DWELLING))
    assert (here.community_id, there.community_id) == (world.community.pk, world.other_community.pk)

    staff_q = scope_for(world.user("staff")).q(Appeal, VIEW_APPEALS)
    sql = str(Appeal.objects.filter(staff_q).query)
    assert "registry_place" not in sql and '"community_id" =' in sql
    assert list(Appeal.objects.filter(staff_q)) == [here]
    # A reach below a community (a building head) or above one (the street) still walks the tree.
    assert "registry_place" in str(Appeal.objects.filter(scope_for(world.user("buildinghead")).q(Appeal, VIEW_APPEALS)).query)
    assert set(Appeal.objects.filter(scope_for(world.user("street")).q(Appeal, VIEW_APPEALS))) == {here, there}

    with_column = {m: loc for m, loc in scope_mechanism._LOCATORS.items() if loc.community}
    assert Appeal in with_column
    for model, loc in with_column.items():
        for community in (world.community, world.other_community):
            by_column = set(model.objects.filter(Q(**{loc.community: community.pk})).values_list("pk", flat=True))
            by_tree = set(model.objects.filter(Q(**{f"{loc.path}__startswith": community.path})).values_list("pk", flat=True))
            assert by_column == by_tree, model.__name__
