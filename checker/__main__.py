import sys

from checker.main import main

sys.exit(main())
