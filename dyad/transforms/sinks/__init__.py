"""Warehouse sinks: write `stories`, `story_sightings` and `ingest_errors` rows."""
