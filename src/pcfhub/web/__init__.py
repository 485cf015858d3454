"""Server-rendered web UI (Jinja2): sign-in, home per role, ledger; zh/en message catalogues."""
