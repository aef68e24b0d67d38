"""The demo loader: one login per role, realistic staff in Zhengzhou and in a
second city (Luoyang, with its own city admin), and loading it again changes
nothing."""

import pytest
from django.core.management import call_command

from dudao.accounts.models import Role, RoleAssignment, User
from dudao.core.models import AuditEntry
from dudao.core.validators import is_valid_credit_code, is_valid_id_number
from dudao.demo import data
from dudao.directory import selectors
from dudao.directory.models import Certificate, Employment, Jurisdiction, Organization, Person

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "city_admin": (Role.CITY_ADMIN, "郑州市", None),
    "jinshui_admin": (Role.DISTRICT_ADMIN, "金水区", None),
    "erqi_admin": (Role.DISTRICT_ADMIN, "二七区", None),
    "agency_admin": (Role.AGENCY_ADMIN, None, "郑州市金水区阳光社会工作服务中心"),
    "supervisor": (Role.SUPERVISOR, None, None),
    "social_worker": (Role.SOCIAL_WORKER, None, None),
    "trainer": (Role.TRAINER, None, "河南启明社会工作培训中心"),
    "association": (Role.ASSOCIATION, "郑州市", None),
    "hrss": (Role.HRSS, "郑州市", None),
    "finance": (Role.FINANCE, "郑州市", None),
    "luoyang_admin": (Role.CITY_ADMIN, "洛阳市", None),
}

COUNTED = (Person, Organization, User, RoleAssignment, Employment, Certificate, AuditEntry)


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def demo(reference):
    return data.load()


def test_the_demo_creates_the_eleven_logins_with_the_demo_password(demo):
    assert [username for username, _label in data.LOGINS] == list(EXPECTED_ROLES)
    for username in EXPECTED_ROLES:
        user = User.objects.get(username=username)
        assert user.check_password("Dudao@2026"), username
        assert user.is_active


def test_each_demo_login_has_exactly_its_role(demo):
    for username, (role, jurisdiction, organization) in EXPECTED_ROLES.items():
        assignment = RoleAssignment.objects.get(user__username=username)
        assert assignment.role == role, username
        assert (assignment.jurisdiction.name if assignment.jurisdiction else None) == jurisdiction, username
        assert (assignment.organization.name if assignment.organization else None) == organization, username
        assignment.clean()  # a valid assignment for its role


def test_the_supervisor_and_social_worker_are_staff_of_the_sunshine_agency(demo):
    sunshine = Organization.objects.get(name="郑州市金水区阳光社会工作服务中心")
    for username in ("supervisor", "social_worker"):
        person = User.objects.get(username=username).person
        assert person is not None
        assert selectors.current_employer(person) == sunshine
    assert User.objects.get(username="supervisor").person.certificates.exists()


def test_the_demo_organisations_and_people_are_valid_and_audited(demo):
    assert demo["organizations"] == len(data.ORGANIZATIONS) == Organization.objects.count()
    assert demo["people_created"] == Person.objects.count() > 50
    assert all(is_valid_credit_code(c) for c in Organization.objects.values_list("credit_code", flat=True))
    assert all(is_valid_id_number(i) for i in Person.objects.values_list("id_number", flat=True))
    assert Employment.objects.filter(end_date=None).count() == Person.objects.count()
    # Each city's admin records its own city's organisations and people.
    for username, code in (("city_admin", "410100"), ("luoyang_admin", "410300")):
        city = Jurisdiction.objects.get(code=code)
        organizations = Organization.objects.filter(jurisdiction__path__startswith=city.path)
        people = Person.objects.filter(employer__in=organizations)
        assert organizations.exists() and people.exists()
        assert (
            AuditEntry.objects.filter(actor__username=username, action=AuditEntry.Action.CREATE).count()
            == organizations.count() + people.count()
        )


def test_the_demo_logins_see_what_their_role_allows(demo):
    users = {u.username: u for u in User.objects.all()}
    everyone = Person.objects.count()
    zhengzhou = selectors.people_for(users["city_admin"])
    luoyang = selectors.people_for(users["luoyang_admin"])
    assert zhengzhou.count() + luoyang.count() == everyone
    assert not zhengzhou.filter(employer__jurisdiction__path__startswith="410000/410300/").exists()
    assert not luoyang.filter(employer__jurisdiction__path__startswith="410000/410100/").exists()
    assert luoyang.exists()
    jinshui = selectors.people_for(users["jinshui_admin"])
    assert 0 < jinshui.count() < everyone
    assert not jinshui.filter(employments__organization__jurisdiction__code="410103").exists()
    assert list(selectors.people_for(users["supervisor"])) == [users["supervisor"].person]


def test_loading_the_demo_twice_adds_no_rows(demo):
    before = _counts()
    again = data.load()
    assert again["people_created"] == 0
    assert _counts() == before


def test_loading_the_demo_again_keeps_a_changed_password(demo):
    user = User.objects.get(username="hrss")
    user.set_password("changed-it")
    user.save()
    data.load()
    user.refresh_from_db()
    assert user.check_password("changed-it")


def test_the_management_command_lists_the_logins(reference, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "Dudao@2026" in out
    for username, _label in data.LOGINS:
        assert username in out


def test_the_demo_gives_luoyang_its_own_round_that_zhengzhou_does_not_see(reference):
    from dudao.selection.models import Round
    from dudao.selection.selectors import quota_for, rounds_for

    call_command("load_demo")
    call_command("load_demo")  # idempotent
    luoyang_round = Round.objects.get(jurisdiction__code="410300")
    zhengzhou_round = Round.objects.get(jurisdiction__code="410100")
    assert luoyang_round.year == zhengzhou_round.year
    assert set(rounds_for(User.objects.get(username="luoyang_admin"))) == {luoyang_round}
    assert luoyang_round not in rounds_for(User.objects.get(username="city_admin"))
    kangle = Organization.objects.get(name="洛阳市洛龙区康乐社会工作服务中心")
    assert quota_for(luoyang_round, kangle).ratio == 5
