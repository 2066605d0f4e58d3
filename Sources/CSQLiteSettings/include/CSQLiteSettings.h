#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H

/// Turns off SQLite's memory statistics for the whole process: with them on,
/// every allocation and free SQLite makes takes a process-wide mutex to
/// count it. campaignctl never reads them. Must run before SQLite is
/// initialised (before the first connection opens); returns SQLITE_OK, or
/// SQLITE_MISUSE when it is too late and nothing changed.
///
/// In C because `sqlite3_config` is variadic, which Swift cannot call.
int campaign_sqlite_disable_memory_statistics(void);

#endif
