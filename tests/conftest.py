"""A small world built through the services: one district, one street, two communities,
grids with buildings and residents, and a user for every role."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.conf import settings

from linli.accounts.models import Role, User
from linli.core import idcard
from linli.registry import services
from linli.registry.models import CareTag, GridKind, ManagementStatus, PlaceKind
from linli.registry.services import roles

PASSWORD = "a-Strong-passw0rd"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    settings.MEDIA_ROOT = settings.DATA_DIR / "test-media"
    # Hashing cost is not under test here; the login tests still go through the real flow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread: a test that
    # browses in English must not make the next test in the same worker speak English.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The public rate limits count per address and minute in the cache: every test comes from
    # 127.0.0.1, so without this the tests that ran before in the same minute use up the next one's.
    from django.core.cache import cache

    cache.clear()


@dataclass
class World:
    admin: User
    district: object
    street: object
    community: object
    other_community: object
    grid: object
    other_grid: object
    far_grid: object
    building: object
    other_building: object
    far_building: object
    household: object
    other_household: object
    far_household: object
    resident: object  # in grid, community
    other_resident: object  # same community, other grid
    far_resident: object  # other community
    users: dict

    def user(self, key: str) -> User:
        return self.users[key]


_seq = iter(range(1, 10_000_000))


def make_id(born=date(1960, 5, 17), gender_odd=True) -> str:
    n = next(_seq) % 500 * 2 + (1 if gender_odd else 2)
    return idcard.make("341103", born, n)


def ensure_care_tags():
    """Transactional tests flush the rows the data migrations wrote; put them back."""
    import importlib

    from django.apps import apps

    importlib.import_module("linli.registry.migrations.0002_care_tags").add_tags(apps, None)
    importlib.import_module("linli.appeals.migrations.0002_default_categories").add(apps, None)


def build_world() -> World:
    ensure_care_tags()
    admin = User.objects.create_superuser("root-admin", password=PASSWORD)
    district = services.place_create(actor=admin, parent=None, kind="district", name="测试区", code="341103")
    street = services.place_create(actor=admin, parent=district, kind="street", name="测试街道", code="341103004")
    community = services.place_create(actor=admin, parent=street, kind="community", name="和美社区", code="341103004001")
    other_community = services.place_create(actor=admin, parent=street, kind="community", name="新桥社区", code="341103004002")

    def block(comm, compound_name, n_buildings):
        compound = services.place_create(
            actor=admin, parent=comm, kind="compound", name=compound_name, management_status=ManagementStatus.PROPERTY
        )
        buildings = []
        for b in range(1, n_buildings + 1):
            building = services.place_create(actor=admin, parent=compound, kind="building", name=f"{b}栋")
            unit = services.place_create(actor=admin, parent=building, kind="unit", name="1单元")
            services.place_create(actor=admin, parent=unit, kind="dwelling", name="101", floor_area=89, use="owner")
            buildings.append(building)
        return buildings

    b1, b2 = block(community, "阳光花园", 2)
    (b3,) = block(other_community, "新桥一村", 1)
    grid = services.grid_create(actor=admin, community=community, name="第1网格", code="341103004001001")
    other_grid = services.grid_create(actor=admin, community=community, name="第2网格", code="341103004001002")
    far_grid = services.grid_create(
        actor=admin, community=other_community, name="新桥甲网格", code="341103004002001", kind=GridKind.COMPREHENSIVE
    )
    services.grid_assign_buildings(actor=admin, grid=grid, buildings=[b1])
    services.grid_assign_buildings(actor=admin, grid=other_grid, buildings=[b2])
    services.grid_assign_buildings(actor=admin, grid=far_grid, buildings=[b3])

    def dwelling_of(building):
        from linli.registry.models import Place

        return Place.objects.get(path__startswith=building.path, kind=PlaceKind.DWELLING)

    hh = services.household_create(actor=admin, dwelling=dwelling_of(b1), number="H001")
    hh2 = services.household_create(actor=admin, dwelling=dwelling_of(b2), number="H002")
    hh3 = services.household_create(actor=admin, dwelling=dwelling_of(b3), number="X001")
    alone = CareTag.objects.get(code="elderly_alone")
    r1 = services.resident_create(actor=admin, household=hh, name="张三", id_number=make_id(), phone="13800138000", care_tags=[alone])
    r2 = services.resident_create(actor=admin, household=hh2, name="李四", id_number=make_id(date(1985, 1, 2)), phone="13900139000")
    r3 = services.resident_create(actor=admin, household=hh3, name="王五", id_number=make_id(date(1990, 3, 4)), phone="13700137000")

    users = {}

    def user(key, role, **anchor):
        u = User.objects.create_user(key, password=PASSWORD)
        roles.role_assign(actor=admin, user=u, role=role, **anchor)
        users[key] = User.objects.get(pk=u.pk)

    user("gridworker", Role.GRID_WORKER, grid=grid)
    user("gridleader", Role.GRID_LEADER, grid=grid)
    user("other_gridworker", Role.GRID_WORKER, grid=other_grid)
    user("far_gridworker", Role.GRID_WORKER, grid=far_grid)
    user("staff", Role.COMMUNITY_STAFF, place=community)
    user("secretary", Role.PARTY_SECRETARY, place=community)
    user("far_staff", Role.COMMUNITY_STAFF, place=other_community)
    user("street", Role.STREET_SUPERVISOR, place=street)
    user("buildinghead", Role.BUILDING_HEAD, place=b1)
    org = services.organisation_create(actor=admin, place=community, kind="property_company", name="红枫物业")
    user("property", Role.PROPERTY_STAFF, organisation=org)
    user("resident", Role.RESIDENT, household=hh)
    users["resident"].resident = r1
    users["resident"].save()
    users["admin"] = admin
    return World(
        admin, district, street, community, other_community, grid, other_grid, far_grid, b1, b2, b3, hh, hh2, hh3, r1, r2, r3, users
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def user_for_resident(world, resident, username: str) -> User:
    """A resident's own account (role: resident of their household)."""
    u = User.objects.create_user(username, password=PASSWORD)
    u.resident = resident
    u.save()
    roles.role_assign(actor=world.admin, user=u, role=Role.RESIDENT, household=resident.household)
    return User.objects.get(pk=u.pk)


@pytest.fixture
def neighbour(world) -> User:
    """李四: lives in the same compound as 张三 (another building), with an account."""
    return user_for_resident(world, world.other_resident, "neighbour")


@pytest.fixture
def login(client):
    return lambda user: signed_in(client, user)


def signed_in(client, user):
    """Log the client in as a login through the page leaves it: the idle expiry just pushed, so
    the next requests do not write the session (query counts stay those of the page itself)."""
    import time

    from linli.core.middleware import SessionIdleMiddleware

    client.force_login(user)
    session = client.session
    session[SessionIdleMiddleware.KEY] = int(time.time())
    session.save()
    return client


def shared_data_dir():
    return settings.BASE_DIR.parent / "shared" / "data"


# ---- appeals fixtures (used by appeals and councils tests) ----
from linli.appeals import services as appeal_services  # noqa: E402
from linli.appeals.models import Category  # noqa: E402
from linli.registry.models import Place  # noqa: E402


@pytest.fixture
def category(world):
    return Category.objects.get(community=None, code="facilities")


@pytest.fixture
def new_appeal(world, category):
    def make(**kw):
        place = kw.pop("place", None) or Place.objects.get(path__startswith=world.building.path, kind=PlaceKind.DWELLING)
        appeal, _created = appeal_services.appeal_submit(
            actor=kw.pop("actor", world.user("resident")),
            place=place,
            title=kw.pop("title", "楼道灯坏了"),
            description=kw.pop("description", "3楼楼道的灯不亮了，晚上看不见"),
            channel=kw.pop("channel", "resident"),
            category=kw.pop("category", category),
            **kw,
        )
        return appeal

    return make


@pytest.fixture
def in_progress(world, new_appeal):
    """An appeal signed by the grid worker."""
    a = new_appeal()
    staff = world.user("staff")
    appeal_services.appeal_accept(actor=staff, appeal=a)
    appeal_services.appeal_dispatch(actor=staff, appeal=a, users=[world.user("gridworker")])
    return appeal_services.appeal_sign(actor=world.user("gridworker"), appeal=a)


def needs_postgres(why: str = "concurrency is tested on PostgreSQL (make test runs the suite there too)") -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(why)


def race(n: int, fn) -> list[str]:
    """Run fn(i) in n threads released at once; return "ok" or the exception name for each."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(n)
    results: list[str] = []

    def run(i):
        try:
            barrier.wait()
            fn(i)
            results.append("ok")
        except Exception as e:  # the losers' refusals are the point
            results.append(type(e).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def pytest_terminal_summary(terminalreporter):
    """The permission matrix says how many cells it checked (summed over xdist workers)."""
    total = 0
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for key, value in getattr(report, "user_properties", []):
            if key == "matrix_cells" and report.when == "call":
                total += value
    if total:
        terminalreporter.write_line(f"permission matrix: {total} cells checked")


class RecordingSender:
    """Tests' SMS gateway: keeps what it was asked to send (the phone's inbox)."""

    sent: list[tuple[str, str]] = []

    def send(self, notification):
        RecordingSender.sent.append((notification.phone, notification.text))


@pytest.fixture
def sms_inbox(settings):
    RecordingSender.sent = []
    settings.LINLI_NOTIFY_SENDERS = {**settings.LINLI_NOTIFY_SENDERS, "sms": "tests.conftest.RecordingSender"}
    return RecordingSender.sent
