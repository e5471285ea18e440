/* The system's SQLite (Debian libsqlite3-dev): the ledger's sqlite: engine (docs/ledger.md). */
#include <sqlite3.h>
