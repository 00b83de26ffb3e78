"""python -m dyad.cli: the dyad command."""
import sys

from dyad.cli import main

sys.exit(main())
