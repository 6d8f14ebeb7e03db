"""``python -m pipeline`` is the same as the ``prompt-dlp`` command."""

from pipeline.cli import main

main()
