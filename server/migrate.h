/* migrate.h: numbered schema migrations (schema/NNN_name.sql), applied once
 * each, in order, and recorded in schema_migrations. A MariaDB named lock
 * keeps two servers starting together from applying the same file twice. */
#ifndef MIGRATE_H
#define MIGRATE_H

#include "server/db.h"

/* Apply pending migrations from dir. Returns how many were applied, or -1. */
int migrate_run(db_t *db, const char *dir);

#endif
