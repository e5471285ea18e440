/* The system's libpq (Debian libpq-dev): the ledger's postgresql:// engine (docs/ledger.md). */
#include <libpq-fe.h>
