import pytest

from linli.accounts.scope import scope_for
from linli.registry import selectors


@pytest.mark.parametrize("query", ["张三", "张", "zhangsan", "zs", "ZS", "zhang", "13800138000", "138 0013 8000", "8000"])
def test_search_finds_zhang_san(world, query):
    found = list(selectors.resident_list(scope_for(world.user("staff")), query=query))
    assert world.resident in found
    assert world.other_resident not in found


def test_search_by_full_id_number(world):
    found = list(selectors.resident_list(scope_for(world.user("staff")), query=world.resident.id_number))
    assert found == [world.resident]


def test_search_stays_in_scope(world):
    assert list(selectors.resident_list(scope_for(world.user("far_staff")), query="zs")) == []


def test_search_page(world, login):
    body = login(world.user("staff")).get("/registry/residents/?q=zs").content.decode()
    assert "张三" in body and "李四" not in body
