"""With DEBUG off, 400/403/404/500 are pages of the site: its frame, the reader's language, a way back."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import member


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def _page(client, url, lang="zh-hans"):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=lang)


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "not_found", "forbidden", "home"), [
    ("zh-hans", "页面不存在", "无权进行此操作", "返回我的规划"), ("en", "Page not found", "Not allowed", "Go to your plans")])
def test_not_found_and_forbidden_are_site_pages(production, plan, lang, not_found, forbidden, home):
    client = Client()
    liaison = member(plan, "liaison")
    client.force_login(liaison)
    missing = _page(client, "/plans/no-such-plan/", lang)
    assert missing.status_code == 404
    html = missing.content.decode()
    assert not_found in html and home in html and 'class="topbar"' in html and liaison.username in html
    # A liaison officer opening an edit form: the reason, in the frame, not a bare "403 Forbidden".
    edit = _page(client, reverse("plan-project-create", kwargs={"code": plan.code}), lang)
    assert edit.status_code == 403
    assert forbidden in edit.content.decode() and home in edit.content.decode()


@pytest.mark.django_db
def test_a_server_error_is_a_site_page_without_the_database(production, plan):

    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF="tests.broken_urls"):
        response = client.get("/broken/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 500
    html = response.content.decode()
    assert "出了点问题" in html and "返回我的规划" in html and "boom" not in html


@pytest.mark.django_db
def test_the_language_menu_names_each_language_in_itself(client, plan):
    client.force_login(member(plan, "staff"))
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">English</option>" in html and ">简体中文</option>" in html and "英语" not in html
