"""``python -m pipeline.mockllm --port 8088``."""

import sys

from pipeline.mockllm.server import main

main(sys.argv[1:])
