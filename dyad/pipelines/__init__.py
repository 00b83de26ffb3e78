"""Pipelines wire the stages; they hold no logic of their own."""
