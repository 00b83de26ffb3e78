import pytest

from dyad.net.urls import BadURL, canonical_url, source_domain, story_id


def test_tracking_parameters_and_fragment_are_dropped():
    url = "HTTPS://WWW.Example.com/world/a.html?utm_source=rss&id=7&fbclid=abc#comments"
    assert canonical_url(url) == "https://www.example.com/world/a.html?id=7"


def test_story_id_ignores_scheme_www_and_tracking():
    a = story_id(canonical_url("http://www.example.com/a.html?utm_medium=feed"))
    b = story_id(canonical_url("https://example.com/a.html"))
    assert a == b and len(a) == 64


def test_meaningful_query_parameters_keep_stories_apart():
    a = story_id(canonical_url("https://example.com/story?id=1"))
    b = story_id(canonical_url("https://example.com/story?id=2"))
    assert a != b


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd",
                                 "ftp://example.com/a", "", "   ", "/relative/only",
                                 "https://example.com/" + "a" * 5000])
def test_unusable_links_are_refused(url):
    with pytest.raises(BadURL):
        canonical_url(url)


def test_source_is_the_registered_domain_or_ip_and_port():
    assert source_domain("https://edition.cnn.com/x") == "cnn.com"
    assert source_domain("https://www.bbc.co.uk/news") == "bbc.co.uk"
    assert source_domain("http://127.0.0.1:8080/a") == "127.0.0.1:8080"
