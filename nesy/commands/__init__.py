"""Sub-commands of the `nesy` command line: each module defines `register(subparsers)`."""
