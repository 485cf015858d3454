"""Test infrastructure: a private PostgreSQL server and the Debian Chromium."""
