"""`python -m nesy` is the same command line as the installed `nesy` script."""
import sys

from nesy.cli import main

sys.exit(main())
