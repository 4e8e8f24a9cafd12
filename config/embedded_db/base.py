"""PostgreSQL backend that starts the embedded server (config.embedded) before its first connection."""

from django.db.backends.postgresql import base

from config import embedded

_started = False


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        global _started
        if not _started:
            embedded.ensure_postgres()
            _started = True
        return super().get_new_connection(conn_params)
