"""`python -m dyad.gazetteer`: the same as `dyad gazetteer`."""
import sys

from dyad.gazetteer.cli import main

sys.exit(main())
