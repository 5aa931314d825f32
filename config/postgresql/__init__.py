"""The PostgreSQL backend with a client-side deadline (see base.py)."""
