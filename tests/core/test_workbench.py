from dudao.core import workbench
from dudao.core.workbench import Todo


def test_home_lists_the_registered_to_dos_with_something_to_do(world, login, monkeypatch):
    def provider(user):
        return [Todo("待确认的督导记录", 3, "/supervision/sessions/?status=pending"), Todo("空的", 0, "/x/")]

    monkeypatch.setattr(workbench, "_providers", [provider])
    page = login(world.agency_admin).get("/").content.decode()
    assert "待确认的督导记录" in page and "/supervision/sessions/?status=pending" in page
    assert "空的" not in page


def test_home_shows_no_to_do_heading_when_nothing_is_due(world, login, monkeypatch):
    monkeypatch.setattr(workbench, "_providers", [])
    assert 'data-testid="todos"' not in login(world.agency_admin).get("/").content.decode()
