"""The bundle's entry point: the same ``main`` as the ``smtdesk`` command, and the
process the first start builds the compiled analysis loops in."""

import sys

if __name__ == "__main__":
    from smtdesk import kernel_cache

    if sys.argv[1:] == [kernel_cache.BUILD_FLAG]:
        kernel_cache.main()
        sys.exit(0)
    from smtdesk.app import main

    sys.exit(main())
