"""Same-story clusters: articles that report the same event, in one outlet or forty, in one
language or several (issue 22).

`fingerprint` reduces an article to its distinctive words (weighted by how rare they are in news
of its language), its countries and its time; `similarity` compares two; `StoryClusters` assigns
each arriving article to the cluster of the most similar recent article, or opens a new one.
"""
