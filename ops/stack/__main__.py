import sys

from ops.stack.servers import main

sys.exit(main())
