"""`dyad dashboard`: a local web dashboard over the warehouse's tables and views."""
