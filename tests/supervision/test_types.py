import datetime as dt

from dudao.directory.models import Employment
from dudao.supervision import types
from dudao.supervision.models import SuperviseeProfile, SuperviseeType


def _start(person, start, position=""):
    Employment.objects.filter(person=person, end_date=None).update(start_date=start, position=position)


def test_a_staff_member_in_the_first_year_is_a_new_worker_and_after_it_a_frontline_worker(world):
    person = world.social_worker_person
    _start(person, dt.date(2026, 3, 1))
    assert types.type_of(person, dt.date(2027, 2, 28)) == SuperviseeType.NEW
    assert types.type_of(person, dt.date(2027, 3, 1)) == SuperviseeType.FRONTLINE


def test_a_position_naming_an_internship_makes_an_intern(world):
    _start(world.social_worker_person, dt.date(2020, 1, 1), position="社工实习生")
    assert types.type_of(world.social_worker_person) == SuperviseeType.INTERN


def test_an_agencys_correction_wins_over_the_data(world):
    _start(world.social_worker_person, dt.date(2020, 1, 1))
    SuperviseeProfile.objects.create(person=world.social_worker_person, type=SuperviseeType.OTHER)
    assert types.types_of([world.social_worker_person.pk]) == {world.social_worker_person.pk: "other"}
    assert types.is_corrected([world.social_worker_person.pk, world.supervisor_person.pk]) == {
        world.social_worker_person.pk
    }


def test_someone_without_a_current_employment_is_other(world, django_assert_num_queries):
    Employment.objects.filter(person=world.social_worker_person).update(end_date=dt.date(2026, 1, 1))
    with django_assert_num_queries(2):
        assert types.types_of([world.social_worker_person.pk]) == {world.social_worker_person.pk: "other"}
