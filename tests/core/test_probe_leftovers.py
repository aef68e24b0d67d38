"""Defects found by probing after the hardening merge: each test failed before its fix."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dudao.accounts.models import User
from dudao.core.models import Notification
from dudao.core.notifications import mark_read


def test_marking_a_notice_read_with_a_pk_that_is_not_a_number_marks_nothing_and_does_not_fail(world, login):
    Notification.objects.create(recipient=world.city_admin, message="通知")
    client = login(world.city_admin)
    response = client.post(reverse("core:notification_read"), {"pk": "abc"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=world.city_admin, read_at=None).count() == 1


def test_a_user_cannot_mark_someone_elses_notice_read(world):
    notice = Notification.objects.create(recipient=world.hrss, message="别人的通知", link="/x/")
    assert mark_read(actor=world.city_admin, pk=notice.pk) is None
    notice.refresh_from_db()
    assert notice.read_at is None


def test_marking_one_notice_follows_its_link_and_leaves_the_others_unread(world, login):
    first = Notification.objects.create(recipient=world.city_admin, message="一", link="/directory/people/")
    Notification.objects.create(recipient=world.city_admin, message="二")
    response = login(world.city_admin).post(reverse("core:notification_read"), {"pk": first.pk})
    assert response["Location"] == "/directory/people/"
    assert Notification.objects.filter(recipient=world.city_admin, read_at=None).count() == 1


def test_an_unknown_address_under_the_api_answers_json_404(world):
    client = APIClient()
    client.force_authenticate(world.city_admin)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_an_unknown_page_answers_the_sites_own_404_page(world, login):
    response = login(world.city_admin).get("/no-such-page/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


@pytest.mark.parametrize("persona", ["supervisor", "social_worker", "hrss", "finance", "trainer"])
def test_a_role_that_administers_no_accounts_gets_403_before_its_payload_is_read(world, persona):
    client = APIClient()
    client.force_authenticate(world.persona(persona))
    response = client.post("/api/v1/users/", {"username": ""}, format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username="").exists()


def test_a_display_name_with_a_control_character_is_refused_with_a_message(world):
    client = APIClient()
    client.force_authenticate(world.city_admin)
    response = client.post(
        "/api/v1/users/",
        {
            "username": "ctrl_user",
            "display_name": "坏\u0001名字",
            "password": "Zz-very-long-passphrase-2026",
            "role": "hrss",
            "jurisdiction": world.city.code,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "display_name" in response.json()
    assert not User.objects.filter(username="ctrl_user").exists()


def test_a_username_with_a_control_character_is_refused(world):
    client = APIClient()
    client.force_authenticate(world.city_admin)
    response = client.post(
        "/api/v1/users/",
        {
            "username": "bad\u0007name",
            "display_name": "名字",
            "password": "Zz-very-long-passphrase-2026",
            "role": "hrss",
            "jurisdiction": world.city.code,
        },
        format="json",
    )
    assert response.status_code == 400
    assert not User.objects.filter(username__startswith="bad").exists()
