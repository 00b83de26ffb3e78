import pytest

from dyad.feeds.feedlist import FeedListError, load_feed_list


def test_yaml_list_with_names_tags_and_duplicates(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n"
                    "  - url: https://example.com/rss\n    name: Example\n    country: GBR\n"
                    "    tags: [world]\n"
                    "  - https://example.org/atom.xml\n"
                    "  - url: https://example.com/rss\n")
    feeds = load_feed_list(str(path))
    assert [f.url for f in feeds] == ["https://example.com/rss", "https://example.org/atom.xml"]
    assert feeds[0].name == "Example" and feeds[0].tags == ("world",) and feeds[0].country == "GBR"


def test_opml_list(tmp_path):
    path = tmp_path / "feeds.opml"
    path.write_text('<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
                    '<outline text="News"><outline type="rss" text="BBC" title="BBC World" '
                    'xmlUrl="https://feeds.example.co.uk/news/world/rss.xml"/></outline>'
                    '</body></opml>')
    feeds = load_feed_list(str(path))
    assert len(feeds) == 1 and feeds[0].url == "https://feeds.example.co.uk/news/world/rss.xml"
    assert feeds[0].name == "BBC"  # listparser takes the outline text


@pytest.mark.parametrize("content, message", [
    ("feeds: [", "not valid YAML"),
    ("feeds: 3", "expected a list"),
    ("feeds:\n  - name: no url\n", "has no 'url'"),
    ("feeds:\n  - url: ftp://example.com/x\n", "unsupported scheme"),
    ("feeds: []\n", "names no feeds"),
])
def test_bad_lists_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "feeds.yaml"
    path.write_text(content)
    with pytest.raises(FeedListError, match=message):
        load_feed_list(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(FeedListError, match="does not exist"):
        load_feed_list(str(tmp_path / "nope.yaml"))


def test_curated_world_list_is_large_and_valid():
    import os
    feeds = load_feed_list(os.path.join(os.path.dirname(__file__), "..", "feeds", "world.yaml"))
    assert len(feeds) >= 30
    assert all(f.name and f.country for f in feeds)
    assert len({f.country for f in feeds}) >= 15
