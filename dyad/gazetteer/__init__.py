"""Building and refreshing the gazetteer's data files: the dated people who speak for countries
(`dyad/classify/data/people.tsv`), built from the development corpus or refreshed from Wikidata."""
