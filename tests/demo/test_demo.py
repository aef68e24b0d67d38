"""The demo loader: one login per role, realistic staff, and loading it again
changes nothing."""

import pytest
from django.core.management import call_command

from dudao.accounts.models import Role, RoleAssignment, User
from dudao.core.models import AuditEntry
from dudao.core.validators import is_valid_credit_code, is_valid_id_number
from dudao.demo import data
from dudao.directory import selectors
from dudao.directory.models import Certificate, Employment, Organization, Person

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
}

COUNTED = (Person, Organization, User, RoleAssignment, Employment, Certificate, AuditEntry)


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def demo(reference):
    return data.load()


def test_the_demo_creates_the_ten_logins_with_the_demo_password(demo):
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
    city_admin = User.objects.get(username="city_admin")
    assert AuditEntry.objects.filter(actor=city_admin, action=AuditEntry.Action.CREATE).count() == (
        Organization.objects.count() + Person.objects.count()
    )


def test_the_demo_logins_see_what_their_role_allows(demo):
    users = {u.username: u for u in User.objects.all()}
    everyone = Person.objects.count()
    assert selectors.people_for(users["city_admin"]).count() == everyone
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
