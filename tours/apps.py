from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_trigram_functions_register(sender, connection, **kwargs) -> None:
    """Give SQLite pg_trgm's `similarity`/`word_similarity`, so tour search works the same on both databases,
    and what its trigram index and scoring use (`tours.services.search_sqlite`)."""
    if connection.vendor != "sqlite":
        return
    from tours.services import search_sqlite
    from tours.services.trigram import sql_similarity, sql_word_similarity

    connection.connection.create_function("similarity", 2, sql_similarity, deterministic=True)
    connection.connection.create_function("word_similarity", 2, sql_word_similarity, deterministic=True)
    search_sqlite.functions_register(connection)


class ToursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tours"

    def ready(self) -> None:
        connection_created.connect(_sqlite_trigram_functions_register, dispatch_uid="tours_sqlite_trigram")
