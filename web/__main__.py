"""``python -m web``: the ``awardflow`` command, for child processes started by the same Python (`serve`)."""

from web.cli import main

main()
