/* The types of the system's libpq (Debian libpq-dev) for the ledger's postgresql:// engine
   (docs/ledger.md). Types only: the library loads libpq with dlopen on first use
   (Sources/KieImage/Ledger/Engine/LibPQ.swift), so it is not linked. */
#include <postgresql/libpq-fe.h>
