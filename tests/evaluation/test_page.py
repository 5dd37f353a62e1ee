"""The evaluation page: who sees it, what it shows, what it costs, and its English."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import member

FORMATS = ({}, {"format": "json"}, {"format": "xlsx"}, {"format": "docx"})
# What the page costs whatever the plan's size: the session and user, the access check, the reads.
MAX_QUERIES = 15


def _url(plan):
    return reverse("plan-evaluation", args=[plan.code])


def test_anonymous_is_sent_to_sign_in(client, small_plan):
    response = client.get(_url(small_plan))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("query", FORMATS)
def test_another_plans_member_gets_not_found(client, small_plan, other_plan, query):
    client.force_login(member(other_plan, "admin"))
    assert client.get(_url(small_plan), query).status_code == 404


@pytest.mark.parametrize("role", ["staff", "liaison", "admin"])
def test_every_member_may_view_and_download(client, small_plan, role):
    client.force_login(member(small_plan, role))
    page = client.get(_url(small_plan))
    assert page.status_code == 200
    assert "?format=docx" in page.content.decode() and "?format=xlsx" in page.content.decode()
    data = client.get(_url(small_plan), {"format": "json"})
    assert data["Content-Type"].startswith("application/json") and data.json()["plan"] == small_plan.code
    for kind in ("xlsx", "docx"):
        response = client.get(_url(small_plan), {"format": kind})
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        assert response["Content-Disposition"].endswith(f"-evaluation.{kind}") and response.content[:2] == b"PK"


def test_the_page_shows_the_bundled_totals_and_is_in_the_tabs(client, bundled):
    client.force_login(member(bundled, "liaison"))
    page = client.get(_url(bundled)).content.decode()
    assert "终期评估" in page and 'aria-current="page">终期评估' in page  # the plan's tab, current
    for text in ("56,832.60", "65,971.91", "9,139.31", "一、总体完成情况", "六、存在的问题（未解决的差异）",
                 "巴彦呼舒镇非遗扶贫就业工坊项目", "第141行"):
        assert text in page, text
    assert page.count('<div class="table-wrap">') >= 10  # every wide table scrolls inside its frame


def _signed_in(plan) -> Client:
    client = Client()
    client.force_login(member(plan, "staff"))
    client.get(_url(plan))  # the session and caches warm
    return client


def test_the_query_count_does_not_grow_with_the_plan(bundled, big_plan, django_assert_max_num_queries):
    counts = []
    for plan in (bundled, big_plan):
        client = _signed_in(plan)
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            assert client.get(_url(plan)).status_code == 200
        counts.append(len(captured.captured_queries))
    print("queries per evaluation page:", counts)
    assert counts[0] == counts[1], counts  # 148 rows and 24 indicators cost what 180 rows and 3 indicators do
    client = _signed_in(big_plan)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(_url(big_plan), {"format": "xlsx"}).status_code == 200


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<select name="language".*?</select>', " ", html, flags=re.S)  # each language in its own name
    html = re.sub(r'<span class="text">.*?</span>', " ", html, flags=re.S)  # the rollups' sentences about the data
    return re.sub(r"<[^>]+>", " ", html)


def test_the_english_page_has_no_chinese_labels(small_plan):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member(small_plan, "liaison"))
    html = client.get(_url(small_plan)).content.decode()
    assert "Final evaluation" in html and "1. Overall completion" in html
    leftovers = sorted({match.group(0) for match in CJK.finditer(_visible_text(html))})
    assert not leftovers, [line.strip() for line in _visible_text(html).splitlines() if CJK.search(line)]


def test_the_chinese_page_is_chinese(client, small_plan):
    client.force_login(member(small_plan, "liaison"))
    html = client.get(_url(small_plan)).content.decode()
    for text in ("终期评估", "二、分年度", "三、分类别", "四、主要指标", "五、重点项目", "已拨付", "未启动"):
        assert text in html, text
