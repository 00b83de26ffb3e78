"""`make eval`: quality measured over ../shared/corpus, printed as tables (not a pipeline stage)."""
