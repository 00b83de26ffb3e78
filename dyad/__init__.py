"""dyad: news feeds to a warehouse of stories by topic and country pair."""

__version__ = "0.1.0"
