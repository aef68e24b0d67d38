"""A trainee joins one cohort per programme, held by the database (issue 8,
item 18): each membership stores its cohort's programme, and (programme,
trainee) is unique.

Memberships that already break the rule are resolved first: of a trainee's
memberships in one programme the one with the most behind it is kept
(confirmed, then scored, then the oldest); a duplicate with nothing recorded
(no score, no confirmation, no attendance, no survey answer) is removed. A
duplicate with records of its own is not discarded silently: the migration
stops and names it, for the city to decide."""

from django.db import migrations


def fill_programme_and_resolve_duplicates(apps, schema_editor):
    Member = apps.get_model("training", "Member")
    Cohort = apps.get_model("training", "Cohort")
    for cohort_id, programme_id in Cohort.objects.values_list("pk", "programme_id"):
        Member.objects.filter(cohort_id=cohort_id).update(programme_id=programme_id)
    groups = {}
    for member in Member.objects.order_by("pk"):
        groups.setdefault((member.programme_id, member.trainee_id), []).append(member)

    def weight(member):
        scored = member.theory_score is not None or member.practice_score is not None
        return (member.confirmed_at is None, not scored, member.pk)

    def has_records(member):
        return (
            member.theory_score is not None
            or member.practice_score is not None
            or member.confirmed_at is not None
            or member.attendance.filter(present=True).exists()
            or member.survey_responses.exists()
        )

    blocked = []
    for members in groups.values():
        if len(members) < 2:
            continue
        _kept, *others = sorted(members, key=weight)
        for member in others:
            if has_records(member):
                blocked.append(member.pk)
            else:
                member.attendance.all().delete()
                member.delete()
    if blocked:
        raise RuntimeError(
            "These cohort memberships repeat a trainee already in another cohort of the same programme and "
            f"have scores, attendance or survey answers of their own: {blocked}. Decide which to keep, remove "
            "the others, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0003_member_programme"),
    ]

    operations = [
        migrations.RunPython(fill_programme_and_resolve_duplicates, migrations.RunPython.noop),
    ]
