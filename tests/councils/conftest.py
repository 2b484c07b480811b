from decimal import Decimal

import pytest

from linli.accounts.models import Role, User
from linli.registry import services as registry_services
from linli.registry.models import Ownership, Place, PlaceKind
from linli.registry.services import roles
from tests.conftest import make_id
from tests.councils.builders import council_of


@pytest.fixture
def compound(world):
    return Place.objects.get(kind=PlaceKind.COMPOUND, name="阳光花园")


@pytest.fixture
def council(world, compound):
    return council_of(world)


@pytest.fixture
def owners(world, compound):
    """Owners of the compound's dwellings: the demo resident owns one; 'multi' owns two."""

    def make(n_extra=0, area="90"):
        unit = Place.objects.filter(path__startswith=compound.path, kind=PlaceKind.UNIT).first()
        out = []
        resident = world.resident
        first = Place.objects.get(path__startswith=world.building.path, kind=PlaceKind.DWELLING)
        Ownership.objects.create(dwelling=first, owner_key=resident.id_number_digest, owner_name=resident.name, resident=resident)
        out.append(resident.id_number_digest)
        for i in range(n_extra):
            d = registry_services.place_create(
                actor=world.admin, parent=unit, kind=PlaceKind.DWELLING, name=f"{900 + i}", floor_area=Decimal(area)
            )
            Ownership.objects.create(dwelling=d, owner_key=f"owner-{i}", owner_name=f"业主{i}")
            out.append(f"owner-{i}")
        return out

    return make


def resident_user(world, name):
    """Another resident of the compound with an account."""
    from linli.registry import services as rs

    hh = world.household
    r = rs.resident_create(actor=world.admin, household=hh, name=name, id_number=make_id(), relationship="spouse")
    u = User.objects.create_user(f"u-{r.pk}", password="x-Strong-pass-1")
    u.resident = r
    u.save()
    roles.role_assign(actor=world.admin, user=u, role=Role.RESIDENT, household=hh)
    return User.objects.get(pk=u.pk)
