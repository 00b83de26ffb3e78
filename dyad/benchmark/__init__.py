"""`make bench`: a generated corpus served on loopback, and the measurements."""
