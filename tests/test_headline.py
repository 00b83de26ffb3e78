"""Title choice among a page's own candidates (dyad.extract.headline)."""
from dyad.extract import headline, parse_html


def _title(html: str, url: str | None = None):
    return headline.title(parse_html(html), [], None, url)


def test_headline_loses_its_kicker_when_metadata_confirms_it():
    html = ("<html><head><title>Klimaschutz: Bohren, bis es heiß wird | ZEIT ONLINE</title>"
            "<meta property='og:title' content='Klimaschutz: Bohren, bis es heiß wird'></head><body>"
            "<h1><span class='article-heading__kicker'>Klimaschutz</span><span class='visually-hidden'>"
            ": </span><span class='article-heading__title'>Bohren, bis es heiß wird</span></h1></body></html>")
    assert _title(html) == ("Bohren, bis es heiß wird", "h1")


def test_title_falls_back_to_metadata_without_the_site_name():
    html = ("<html><head><title>Port strike ends after talks | The Daily Planet</title></head>"
            "<body><h1>The Daily Planet</h1></body></html>")
    assert _title(html) == ("Port strike ends after talks", "title")


def test_a_dash_in_the_headline_is_kept_when_no_piece_names_the_site():
    html = ("<html><head><meta property='og:title' content='Fur-free brands grow – how to spot real"
            " fur'><title>Fur-free brands grow – how to spot real fur | Animal World</title></head>"
            "<body><h1>Animal World</h1><h1>Menu</h1></body></html>")
    assert _title(html, "https://www.animalworld.example/news/fur") == (
        "Fur-free brands grow – how to spot real fur", "og:title")


def test_site_name_is_recognised_from_the_host_at_either_end():
    html = "<html><head><title>DailyPlanet.com - Harbour cranes idle for a third day</title></head></html>"
    assert _title(html, "https://dailyplanet.com/a") == ("Harbour cranes idle for a third day", "title")
    html = "<html><head><title>Harbour cranes idle – Daily Planet Online</title></head></html>"
    assert _title(html, "https://www.dailyplanet.co.uk/a") == ("Harbour cranes idle", "title")


def test_unmarked_kicker_is_cut_when_a_metadata_title_ends_the_headline():
    html = ("<html><head><meta property='og:title' content='Port strike ends after nine days'></head>"
            "<body><h1><span>Logistics</span> Port strike ends after nine days</h1></body></html>")
    assert _title(html) == ("Port strike ends after nine days", "og:title")


def test_share_widget_h1_gives_way_to_the_article_h2():
    html = ("<html><head><meta property='og:title' content='Short social title'></head><body>"
            "<article><h2>Dockers and owners agree a deal that ends the nine-day port strike</h2>"
            "<div class='share-tools'><h1>Short social title</h1></div><p>Text.</p></article></body></html>")
    assert _title(html) == ("Dockers and owners agree a deal that ends the nine-day port strike", "h2")


def test_h1_styled_as_strapline_yields_to_the_heading_after_it():
    html = ("<html><body><header><h1 class='strapline'>Port strike: day nine</h1>"
            "<h2 class='title'>Dockers and owners agree a deal at last</h2></header></body></html>")
    assert _title(html) == ("Dockers and owners agree a deal at last", "h1")


def test_first_headline_on_a_page_of_many_h1s_is_not_trusted():
    teasers = "".join(f"<h1>Teaser headline number {n} here</h1>" for n in range(6))
    html = f"<html><head><title>The story itself | Planet</title></head><body>{teasers}</body></html>"
    assert _title(html) == ("The story itself", "title")
