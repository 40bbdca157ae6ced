import sys

from smtdesk.app import main

sys.exit(main())
