"""Which kind of supervisee a staff member is (policy 一: 新入职社工、一线社工、
实习生及其他人员), read from the data where it says so: someone in their first
year at their employer is a new worker, someone whose position names an
internship is an intern, everyone else on the staff is a frontline worker. An
agency corrects a person where the data is wrong (SuperviseeProfile)."""

import datetime as dt

from django.utils import timezone

from dudao.directory.models import Employment

from .models import SuperviseeProfile, SuperviseeType

INTERN_WORDS = ("实习", "intern")


def _one_year_after(start: dt.date) -> dt.date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def from_employment(employment: Employment | None, on: dt.date) -> str:
    if employment is None:
        return SuperviseeType.OTHER
    position = (employment.position or "").lower()
    if any(word in position for word in INTERN_WORDS):
        return SuperviseeType.INTERN
    if on < _one_year_after(employment.start_date):
        return SuperviseeType.NEW
    return SuperviseeType.FRONTLINE


def types_of(person_ids, on: dt.date | None = None) -> dict[int, str]:
    """{person id: supervisee type} for people on a staff, in two queries
    however many: their current employments and the agencies' corrections."""
    on = on or timezone.localdate()
    ids = list(person_ids)
    current = {
        e.person_id: e
        for e in Employment.objects.filter(person_id__in=ids, end_date=None).only("person_id", "position", "start_date")
    }
    corrected = dict(SuperviseeProfile.objects.filter(person_id__in=ids).values_list("person_id", "type"))
    return {pid: corrected.get(pid) or from_employment(current.get(pid), on) for pid in ids}


def type_of(person, on: dt.date | None = None) -> str:
    return types_of([person.pk], on)[person.pk]


def is_corrected(person_ids) -> set[int]:
    """Which of these people carry an agency's correction rather than the type read from the data."""
    return set(SuperviseeProfile.objects.filter(person_id__in=list(person_ids)).values_list("person_id", flat=True))
