import urllib.request

from dyad.net.fixture_server import Fixtures
from tests.conftest import SAMPLE


def test_fixed_base_port_gives_the_same_urls_every_time():
    lists = []
    for _ in range(2):
        with Fixtures(SAMPLE, base_port=48301) as fixtures:
            lists.append(fixtures.site.feed_list())
            body = urllib.request.urlopen(fixtures.site.feed_url("globalwire"), timeout=5).read()
            assert b"<rss" in body
    assert lists[0] == lists[1]
    assert lists[0]["feeds"][0]["url"] == "http://127.0.0.1:48301/feed.xml"


def test_pages_and_404s(sample_sites):
    site = sample_sites.site
    article = next(a for a in site.articles if a.get("paras"))
    page = urllib.request.urlopen(site.article_url(article), timeout=5).read().decode()
    assert article["title"] in page and article["paras"][0][:40] in page
    status, _ctype, _body = site.page(article["outlet"], "/nope.html")
    assert status == 404
