"""The bundle's entry point: the same ``main`` as the ``smtdesk`` command."""

import sys

from smtdesk.app import main

if __name__ == "__main__":
    sys.exit(main())
