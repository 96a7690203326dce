"""``python -m luna`` runs the ``luna`` command."""

from luna.cli.main import app

app(prog_name="luna")
