"""Demo data: one login per role and a few agencies with realistic staff in
Zhengzhou, and a second city of the province, Luoyang, with its own city
admin, agencies and staff (one instance serving several cities).

Deterministic (a fixed seed) and keyed on natural keys, so loading it again
changes nothing. Writes go through the services, so the demo's audit log
looks like real use."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dudao.accounts.models import Role, RoleAssignment, User
from dudao.core.validators import CREDIT_CODE_ALPHABET, credit_code_check_char, id_check_char
from dudao.directory import reference_data, services
from dudao.directory.models import (
    CertificateLevel,
    EducationLevel,
    Jurisdiction,
    Organization,
    OrganizationType,
    Person,
    ServiceDomain,
)
from dudao.policy import services as policy_services

PASSWORD = "Dudao@2026"
# The demo password before logins needed three kinds of character; a demo
# database loaded with it moves to the new one on the next load.
OLD_PASSWORD = "dudao2026"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽浩宇博文子轩晨阳志远俊杰"
MAJORS = ["社会工作", "社会工作", "社会工作", "社会学", "心理学", "公共事业管理", "护理学", "教育学"]

# (name, type code, jurisdiction code, staff count)
ORGANIZATIONS = [
    ("郑州市金水区阳光社会工作服务中心", "agency", "410105", 24),
    ("郑州市金水区馨和社会工作服务中心", "agency", "410105", 9),
    ("郑州市金水区仁爱养老服务中心", "welfare", "410105", 7),
    ("郑州市二七区同心社会工作服务中心", "agency", "410103", 30),
    ("郑州市二七区启航青少年社会工作服务中心", "agency", "410103", 8),
    ("郑州市中原区和美社会工作服务中心", "agency", "410102", 11),
    ("郑州市管城回族区善行社会工作服务中心", "agency", "410104", 7),
    ("郑州市郑东新区睿智社会工作服务中心", "agency", "410100ZD", 10),
    ("郑州市惠济区福乐社会工作服务中心", "agency", "410108", 6),
    ("河南启明社会工作培训中心", "trainer", "410100", 3),
    ("郑州市社会工作协会", "association", "410100", 2),
    ("郑州社会工作学院（示例）", "university", "410105", 3),
    # Luoyang, the province's second city: loaded after Zhengzhou, so
    # Zhengzhou's random draws stay the same.
    ("洛阳市洛龙区康乐社会工作服务中心", "agency", "410311", 14),
    ("洛阳市西工区同行社会工作服务中心", "agency", "410303", 9),
    ("洛阳市涧西区温馨社会工作服务中心", "agency", "410305", 7),
    ("洛阳市社会工作协会", "association", "410300", 2),
]
# The city each demo organisation is created by (its city admin is the actor).
LUOYANG = "410300"


def _credit_code(rng, jurisdiction_code):
    region = jurisdiction_code[:6] if jurisdiction_code[:6].isdigit() else "410100"
    body = "52" + region + "".join(rng.choice(CREDIT_CODE_ALPHABET[:10] + "ABCDEFGH") for _ in range(9))
    return body + credit_code_check_char(body)


def _id_number(rng, region, birth):
    body = f"{region}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def _name(rng):
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _user(username, *, display_name, person=None):
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
    if created or not user.has_usable_password() or user.check_password(OLD_PASSWORD):
        user.set_password(PASSWORD)
    if person is not None:
        user.person = person
    user.save()
    return user


def _role(user, role, *, jurisdiction=None, organization=None):
    RoleAssignment.objects.get_or_create(user=user, role=role, jurisdiction=jurisdiction, organization=organization)


@transaction.atomic
def load() -> dict:
    rng = random.Random(20180313)  # the policy's date: the same demo every time
    today = timezone.localdate()
    # The second city (idempotent: a loaded version is left alone), and its
    # policy values (Luoyang nominates 1:5), which its districts inherit.
    reference_data.load(reference_data.CITY_FILES["luoyang"])
    policy_services.load_defaults()
    j = {x.code: x for x in Jurisdiction.objects.all()}
    types = {x.code: x for x in OrganizationType.objects.all()}
    domains = list(ServiceDomain.objects.all())
    education = {x.code: x for x in EducationLevel.objects.all()}
    levels = {x.code: x for x in CertificateLevel.objects.all()}
    city = j["410100"]

    city_admin = _user("city_admin", display_name="市民政局管理员")
    _role(city_admin, Role.CITY_ADMIN, jurisdiction=city)
    luoyang_admin = _user("luoyang_admin", display_name="洛阳市民政局管理员")
    _role(luoyang_admin, Role.CITY_ADMIN, jurisdiction=j[LUOYANG])

    orgs, created_people = {}, 0
    cert_seq = 0
    for name, type_code, jcode, staff in ORGANIZATIONS:
        # Draw every random value before looking at the database, so a second
        # run walks the same random sequence and finds the same records.
        fields = {
            "credit_code": _credit_code(rng, jcode),
            "address": f"{j[jcode].name}示例路{rng.randint(1, 200)}号",
            "contact_name": _name(rng),
            "contact_phone": f"{'0379' if jcode.startswith('4103') else '0371'}-{rng.randint(60000000, 69999999)}",
        }
        actor = luoyang_admin if j[jcode].path.startswith(j[LUOYANG].path) else city_admin
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = services.create_organization(
                actor=actor, name=name, type=types[type_code], jurisdiction=j[jcode], reason="演示数据", **fields
            )
        orgs[name] = org
        region = jcode if jcode.isdigit() else "410100"
        for i in range(staff):
            birth = dt.date(rng.randint(1970, 1999), rng.randint(1, 12), rng.randint(1, 28))
            id_number = _id_number(rng, region, birth)
            person_name = _name(rng)
            edu = rng.choices(
                ["junior_college", "bachelor", "master", "doctorate"],
                weights=[3, 6, 2, 1 if type_code == "university" else 0.1],
            )[0]
            frontline = dt.date(max(birth.year + 22, rng.randint(2008, 2022)), rng.randint(1, 12), 1)
            frontline = min(frontline, today - dt.timedelta(days=200))
            start = max(frontline, dt.date(rng.randint(2015, 2024), rng.randint(1, 12), 1))
            start = min(start, today - dt.timedelta(days=100))
            certificates = []
            if rng.random() < 0.7 or i < 2:
                level = rng.choices(
                    ["assistant", "intermediate", "senior"], weights=[5, 4, 1] if i >= 2 else [0, 3, 1]
                )[0]
                cert_seq += 1
                issued = frontline + dt.timedelta(days=rng.randint(200, 2000))
                certificates.append(
                    {
                        "level": levels[level],
                        "number": f"{min(issued, today).year}{region}{cert_seq:05d}",
                        "issued_on": min(issued, today - dt.timedelta(days=30)),
                    }
                )
            extra = {
                "major": rng.choice(MAJORS),
                "phone": f"13{rng.randint(100000000, 999999999)}",
                "service_domains": rng.sample(domains, rng.randint(1, 3)),
            }
            if Person.objects.with_id_number(id_number).exists():
                continue
            services.create_person(
                actor=actor,
                name=person_name,
                id_number=id_number,
                employer=org,
                start_date=start,
                position="社会工作者" if i else "项目主管",
                education=education[edu],
                frontline_since=frontline,
                certificates=certificates,
                reason="演示数据",
                **extra,
            )
            created_people += 1

    sunshine = orgs["郑州市金水区阳光社会工作服务中心"]
    staff = list(Person.objects.filter(employments__organization=sunshine, employments__end_date=None).order_by("id"))
    jinshui_admin = _user("jinshui_admin", display_name="金水区民政局")
    _role(jinshui_admin, Role.DISTRICT_ADMIN, jurisdiction=j["410105"])
    erqi_admin = _user("erqi_admin", display_name="二七区民政局")
    _role(erqi_admin, Role.DISTRICT_ADMIN, jurisdiction=j["410103"])
    agency_admin = _user("agency_admin", display_name=staff[0].name)
    _role(agency_admin, Role.AGENCY_ADMIN, organization=sunshine)
    # staff[1] always holds a certificate (see above), as a supervisor would.
    supervisor = _user("supervisor", display_name=staff[1].name, person=staff[1])
    _role(supervisor, Role.SUPERVISOR)
    social_worker = _user("social_worker", display_name=staff[2].name, person=staff[2])
    _role(social_worker, Role.SOCIAL_WORKER)
    trainer = _user("trainer", display_name="启明培训")
    _role(trainer, Role.TRAINER, organization=orgs["河南启明社会工作培训中心"])
    association = _user("association", display_name="社工协会")
    _role(association, Role.ASSOCIATION, jurisdiction=city)
    hrss = _user("hrss", display_name="市人社局")
    _role(hrss, Role.HRSS, jurisdiction=city)
    finance = _user("finance", display_name="市财政局")
    _role(finance, Role.FINANCE, jurisdiction=city)
    return {"organizations": len(orgs), "people_created": created_people}


LOGINS = [
    ("city_admin", "市民政局（全市）"),
    ("jinshui_admin", "金水区民政局"),
    ("erqi_admin", "二七区民政局"),
    ("agency_admin", "机构管理员（郑州市金水区阳光社会工作服务中心）"),
    ("supervisor", "督导"),
    ("social_worker", "社会工作者"),
    ("trainer", "第三方培训机构"),
    ("association", "社会工作协会"),
    ("hrss", "人社部门"),
    ("finance", "财政部门"),
    ("luoyang_admin", "洛阳市民政局（全市）"),
]
