from dyad.errors import dead_letter_row
from tests.conftest import RUN_ID
from tests.test_dedupe import B


def test_dead_letters_of_every_element_shape_name_their_url():
    exc = (ValueError, "ValueError('boom')", ["tb"])
    for element in (B, (B.story_id, B), {"url": B.url, "feed_url": B.feed_url}):
        row = dead_letter_row("dedupe", (element, exc), RUN_ID)
        assert (row["stage"], row["url"], row["feed_url"], row["error_type"]) == \
            ("dedupe", B.url, B.feed_url, "ValueError")
        assert row["message"] == "ValueError('boom')" and row["run_id"] == RUN_ID
    row = dead_letter_row("write", ((0, ["rows"]), exc), RUN_ID)
    assert row["url"] is None
