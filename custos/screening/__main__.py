import sys

from custos.screening.cli import main

sys.exit(main())
