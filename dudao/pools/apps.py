from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolsConfig(AppConfig):
    name = "dudao.pools"
    verbose_name = _("Talent pools")

    def ready(self):
        from dudao.directory.signals import organization_moved

        from .models import Entry

        def follow(sender, organization, **kwargs):
            Entry.objects.filter(level=Entry.Level.AGENCY, organization=organization).update(**organization.chain())

        organization_moved.connect(follow, dispatch_uid="pools.internal_supervisors_follow_their_agency", weak=False)

        from dudao.directory.models import Jurisdiction, Person
        from dudao.directory.scoping import follow_moved
        from dudao.directory.signals import jurisdictions_moved, people_rescoped

        from .scoping import people_rescoped as refresh_people_reach
        from .scoping import refresh_reach

        def follow_tree(sender, jurisdiction_ids, **kwargs):
            agency = Entry.objects.filter(level=Entry.Level.AGENCY)
            follow_moved(agency, jurisdiction_ids, via="organization")
            follow_moved(Entry.objects.exclude(level=Entry.Level.AGENCY), jurisdiction_ids, via="jurisdiction")
            ids = list(jurisdiction_ids)
            refresh_reach(
                Entry.objects.filter(home_district_id__in=ids),
                person_model=Person,
                jurisdiction_model=Jurisdiction,
                person=False,
            )
            refresh_reach(
                Entry.objects.filter(person__employer__jurisdiction_id__in=ids),
                person_model=Person,
                jurisdiction_model=Jurisdiction,
                home=False,
            )

        def follow_people(sender, person_ids, **kwargs):
            refresh_people_reach(person_ids)

        jurisdictions_moved.connect(follow_tree, dispatch_uid="pools.entries_follow_the_tree", weak=False)
        people_rescoped.connect(follow_people, dispatch_uid="pools.entries_follow_their_people", weak=False)

        from dudao.training.signals import member_passed

        from .services import admit_to_city_pool

        def admit(sender, actor, member, **kwargs):
            admit_to_city_pool(actor=actor, member=member)

        member_passed.connect(admit, dispatch_uid="pools.passed_trainees_enter_the_city_pool", weak=False)

        from dudao.training.selectors import register_pool_link_finder

        from .selectors import profile_links

        register_pool_link_finder(profile_links)

        from dudao.directory.signals import disciplinary_record_added

        from .services import flag_person_entries

        def flag(sender, actor, record, **kwargs):
            flag_person_entries(actor=actor, record=record)

        disciplinary_record_added.connect(flag, dispatch_uid="pools.disciplinary_records_flag_entries", weak=False)

        from dudao.accounts.navigation import register_check

        def in_a_pool(scope):
            return bool(scope.person_id) and Entry.objects.filter(person_id=scope.person_id).exists()

        # A social worker's menu shows the talent pool once they have an entry in one.
        register_check("pools:entry_list", in_a_pool)

        from dudao.core import workbench

        from . import todos

        workbench.register(todos.todos)
        workbench.register_figures(todos.figures)
