"""The menu each role sees, grouped by domain (one Bootstrap dropdown per
group, so the bar fits one row at 1440 px whatever the roles). Data, so a new
page is one line in its group.

An item may be shown to a role only when a check says so (`when`): the check is
registered by the app that owns the page (an app above accounts cannot be
imported here), e.g. the talent pool for a social worker who has an entry."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

ALL = frozenset(Role)
ADMINS = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN}


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    icon: str
    roles: frozenset
    # Roles that see the item only when the check registered for url_name agrees.
    when: frozenset = field(default=frozenset())


def item(label, url_name, icon, roles, when=()) -> Item:
    return Item(label, url_name, icon, frozenset(roles), frozenset(when))


# (group label, icon, items); a group with one visible item shows as a plain link.
MENU = [
    (_("Home"), "house", [item(_("Home"), "accounts:home", "house", ALL)]),
    (
        _("Directory"),
        "building",
        [
            item(
                _("Organisations"),
                "directory:organization_list",
                "building",
                ALL - {Role.SOCIAL_WORKER, Role.SUPERVISOR},
            ),
            item(
                _("People"),
                "directory:person_list",
                "people",
                ALL - {Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.TRAINER},
            ),
        ],
    ),
    (
        _("Selection"),
        "flag",
        [
            item(_("Rounds"), "selection:round_list", "flag", ALL - {Role.SOCIAL_WORKER}),
            item(_("Review queue"), "selection:queue", "inbox", ADMINS),
            item(
                _("Nominations"),
                "selection:nomination_list",
                "card-checklist",
                ALL - {Role.SOCIAL_WORKER, Role.TRAINER},
            ),
            item(_("Trainees"), "selection:trainee_list", "mortarboard", ALL - {Role.SOCIAL_WORKER}),
            item(_("Public notices"), "publicity:notice_list", "megaphone", ALL),
        ],
    ),
    (
        _("Training"),
        "easel",
        [
            item(
                _("Training programmes"),
                "training:programme_list",
                "easel",
                {Role.CITY_ADMIN, Role.TRAINER, Role.HRSS, Role.FINANCE, Role.ASSOCIATION},
            ),
            item(
                _("Training activities"),
                "training:activity_list",
                "journal-bookmark",
                {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AGENCY_ADMIN},
            ),
            item(_("My training"), "training:my_training", "mortarboard", {Role.SUPERVISOR, Role.SOCIAL_WORKER}),
        ],
    ),
    (
        _("Talent pools"),
        "people-fill",
        [
            item(
                _("Talent pools"),
                "pools:entry_list",
                "people-fill",
                ALL - {Role.TRAINER},
                # A social worker has a pool page only once admitted to a pool.
                when={Role.SOCIAL_WORKER},
            ),
        ],
    ),
    (
        _("Supervision"),
        "person-workspace",
        [
            item(_("My supervision"), "supervision:me", "calendar3", {Role.SUPERVISOR, Role.SOCIAL_WORKER}),
            item(
                _("Supervisor engagements"),
                "supervision:engagement_list",
                "person-workspace",
                {Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS},
            ),
            item(
                _("Supervision records"),
                "supervision:session_list",
                "journal-check",
                {
                    Role.SUPERVISOR,
                    Role.SOCIAL_WORKER,
                    Role.AGENCY_ADMIN,
                    Role.DISTRICT_ADMIN,
                    Role.CITY_ADMIN,
                    Role.HRSS,
                },
            ),
            item(
                _("Supervisor directory"),
                "supervision:supervisor_directory",
                "search",
                {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AGENCY_ADMIN},
            ),
            item(
                _("Supervision coverage"),
                "supervision:coverage",
                "clipboard-data",
                {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS, Role.AGENCY_ADMIN},
            ),
            item(
                _("Practice hours"),
                "supervision:practice_list",
                "stopwatch",
                {Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS},
            ),
            item(
                _("Ability assessments"),
                "supervision:assessment_list",
                "clipboard-data",
                {Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN},
            ),
        ],
    ),
    (
        _("Evaluation"),
        "award",
        [
            item(
                _("Evaluation cycles"),
                "evaluation:cycle_list",
                "award",
                {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS},
            ),
            item(
                _("Evaluation forms"),
                "evaluation:form_list",
                "ui-checks",
                {Role.AGENCY_ADMIN, Role.ASSOCIATION, Role.CITY_ADMIN, Role.DISTRICT_ADMIN},
            ),
            item(
                _("Evaluation results"),
                "evaluation:result_list",
                "award",
                {Role.SUPERVISOR, Role.CITY_ADMIN, Role.DISTRICT_ADMIN},
            ),
            item(
                _("Evaluation appeals"),
                "evaluation:appeal_list",
                "megaphone",
                {Role.SUPERVISOR, Role.CITY_ADMIN, Role.DISTRICT_ADMIN},
            ),
            item(_("Renewals"), "evaluation:renewal_list", "arrow-repeat", ADMINS),
            item(
                _("Service evaluation results"),
                "evaluation:service_result_list",
                "clipboard-check",
                {Role.AGENCY_ADMIN, Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS},
            ),
            item(
                _("Evaluation statistics"),
                "evaluation:report",
                "bar-chart",
                {Role.HRSS, Role.CITY_ADMIN, Role.DISTRICT_ADMIN},
            ),
        ],
    ),
    (
        _("Subsidies"),
        "cash-coin",
        [
            item(
                _("Subsidy statements"),
                "subsidies:statement_list",
                "cash-coin",
                {Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS, Role.FINANCE},
            ),
            item(
                _("Subsidy figures"),
                "subsidies:finance",
                "bar-chart",
                {Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS, Role.FINANCE},
            ),
        ],
    ),
    (
        _("System"),
        "gear",
        [
            item(
                _("Policy parameters"), "policy:parameter_list", "sliders", ALL - {Role.SOCIAL_WORKER, Role.SUPERVISOR}
            ),
            item(
                _("Accounts"),
                "accounts:user_list",
                "person-badge",
                {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AGENCY_ADMIN},
            ),
            item(_("Audit log"), "core:audit_list", "journal-text", {Role.CITY_ADMIN}),
            item(_("Access log"), "accounts:access_log", "shield-lock", {Role.CITY_ADMIN}),
        ],
    ),
]

_CHECKS: dict[str, Callable] = {}


def register_check(url_name: str, check: Callable) -> None:
    """check(scope) -> bool: whether an item's `when` roles see it for this user."""
    _CHECKS[url_name] = check


def _visible(entry: Item, scope) -> bool:
    if scope.roles & (entry.roles - entry.when):
        return True
    if scope.roles & entry.when and entry.url_name in _CHECKS:
        return bool(_CHECKS[entry.url_name](scope))
    return False


def menu_for(scope) -> list[dict]:
    """The groups this user sees, each with its visible items; a group of one
    item is that item (a plain link), an empty group is left out."""
    menu = []
    for label, icon, items in MENU:
        links = [
            {"label": entry.label, "url": reverse(entry.url_name), "icon": entry.icon}
            for entry in items
            if _visible(entry, scope)
        ]
        if len(links) == 1:
            menu.append(links[0])
        elif links:
            menu.append({"label": label, "icon": icon, "children": links, "id": f"nav-{icon}"})
    return menu
