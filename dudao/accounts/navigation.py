"""The menu each role sees. Data, so a new page is one line."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

ALL = set(Role)

MENU = [
    # (label, url name, icon, roles that see it)
    (_("Home"), "accounts:home", "house", ALL),
    (_("Organisations"), "directory:organization_list", "building", ALL - {Role.SOCIAL_WORKER, Role.SUPERVISOR}),
    (_("People"), "directory:person_list", "people", ALL - {Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.TRAINER}),
    (_("Rounds"), "selection:round_list", "flag", ALL - {Role.SOCIAL_WORKER}),
    (_("Review queue"), "selection:queue", "inbox", {Role.CITY_ADMIN, Role.DISTRICT_ADMIN}),
    (_("Nominations"), "selection:nomination_list", "card-checklist", ALL - {Role.SOCIAL_WORKER, Role.TRAINER}),
    (_("Trainees"), "selection:trainee_list", "mortarboard", ALL - {Role.SOCIAL_WORKER}),
    (_("Public notices"), "publicity:notice_list", "megaphone", ALL),
    (
        _("Training"),
        "training:programme_list",
        "easel",
        {Role.CITY_ADMIN, Role.TRAINER, Role.HRSS, Role.FINANCE, Role.ASSOCIATION},
    ),
    (
        _("Training activities"),
        "training:activity_list",
        "journal-bookmark",
        {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AGENCY_ADMIN},
    ),
    (_("My training"), "training:my_training", "mortarboard", {Role.SUPERVISOR, Role.SOCIAL_WORKER}),
    (_("Talent pools"), "pools:entry_list", "people-fill", ALL - {Role.SOCIAL_WORKER, Role.TRAINER}),
    (
        _("Supervisor engagements"),
        "supervision:engagement_list",
        "person-workspace",
        {Role.AGENCY_ADMIN, Role.SUPERVISOR, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS},
    ),
    (
        _("Supervision coverage"),
        "supervision:coverage",
        "clipboard-data",
        {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS, Role.AGENCY_ADMIN},
    ),
    (
        _("Supervisor directory"),
        "supervision:supervisor_directory",
        "search",
        {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AGENCY_ADMIN},
    ),
    (
        _("Supervision records"),
        "supervision:session_list",
        "journal-check",
        {Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.AGENCY_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS},
    ),
    (_("Policy parameters"), "policy:parameter_list", "sliders", ALL - {Role.SOCIAL_WORKER, Role.SUPERVISOR}),
    (_("My supervision"), "supervision:me", "calendar3", {Role.SUPERVISOR, Role.SOCIAL_WORKER}),
    (
        _("Practice hours"),
        "supervision:practice_list",
        "stopwatch",
        {Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS},
    ),
    (
        _("Ability assessments"),
        "supervision:assessment_list",
        "clipboard-data",
        {Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN},
    ),
    (
        _("Evaluation cycles"),
        "evaluation:cycle_list",
        "award",
        {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS},
    ),
    (
        _("Service evaluation results"),
        "evaluation:service_result_list",
        "clipboard-check",
        {Role.AGENCY_ADMIN, Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.HRSS},
    ),
    (_("Evaluation statistics"), "evaluation:report", "bar-chart", {Role.HRSS, Role.CITY_ADMIN, Role.DISTRICT_ADMIN}),
    (
        _("Subsidy statements"),
        "subsidies:statement_list",
        "cash-coin",
        {Role.SUPERVISOR, Role.AGENCY_ADMIN, Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS, Role.FINANCE},
    ),
    (
        _("Subsidy figures"),
        "subsidies:finance",
        "bar-chart",
        {Role.DISTRICT_ADMIN, Role.CITY_ADMIN, Role.HRSS, Role.FINANCE},
    ),
    (
        _("Evaluation forms"),
        "evaluation:form_list",
        "ui-checks",
        {Role.AGENCY_ADMIN, Role.ASSOCIATION, Role.CITY_ADMIN, Role.DISTRICT_ADMIN},
    ),
    (
        _("Evaluation results"),
        "evaluation:result_list",
        "award",
        {Role.SUPERVISOR, Role.CITY_ADMIN, Role.DISTRICT_ADMIN},
    ),
    (
        _("Evaluation appeals"),
        "evaluation:appeal_list",
        "megaphone",
        {Role.SUPERVISOR, Role.CITY_ADMIN, Role.DISTRICT_ADMIN},
    ),
    (_("Renewals"), "evaluation:renewal_list", "arrow-repeat", {Role.CITY_ADMIN, Role.DISTRICT_ADMIN}),
    (_("Accounts"), "accounts:user_list", "person-badge", {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.AGENCY_ADMIN}),
    (_("Audit log"), "core:audit_list", "journal-text", {Role.CITY_ADMIN}),
    (_("Access log"), "accounts:access_log", "shield-lock", {Role.CITY_ADMIN}),
]


def menu_for(scope):
    items = []
    for label, url_name, icon, roles in MENU:
        if scope.roles & roles:
            items.append({"label": label, "url": reverse(url_name), "icon": icon})
    return items
