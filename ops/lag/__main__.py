import sys

from ops.lag.command import main

sys.exit(main())
