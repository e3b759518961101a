/* migrate.c: see migrate.h. */
#include "server/migrate.h"
#include "server/log.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* Migration files are NNN_name.sql: three digits, underscore. */
static int is_migration(const char *name)
{
    size_t n = strlen(name);
    return n > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' &&
           name[2] >= '0' && name[2] <= '9' && name[3] == '_' && strcmp(name + n - 4, ".sql") == 0;
}

int migrate_run(db_t *db, const char *dir)
{
    arena_t a;
    arena_init(&a);
    int applied = -1;
    if (db_exec_script(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                           " version INT PRIMARY KEY, name VARCHAR(200) NOT NULL,"
                           " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
                           ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4") < 0) {
        log_error("migrate: cannot create schema_migrations: %s", db_error(db));
        goto out;
    }
    db_res_t *lk = db_query(db, &a, "SELECT GET_LOCK('quiz_migrate', 60)", "");
    if (!lk || db_int(lk, 0, 0) != 1) {
        log_error("migrate: could not take the migration lock");
        goto out;
    }
    DIR *d = opendir(dir);
    if (!d) {
        log_error("migrate: cannot open %s", dir);
        goto unlock;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!is_migration(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    applied = 0;
    for (size_t i = 0; i < n; i++) {
        int version = atoi(names[i]);
        db_res_t *r = db_query(db, &a, "SELECT 1 FROM schema_migrations WHERE version = ?", "i",
                               (long long)version);
        if (!r) {
            applied = -1;
            break;
        }
        if (r->nrows)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *sql = read_file(path);
        if (!sql || db_exec_script(db, sql) < 0) {
            log_error("migrate: %s failed: %s", names[i], sql ? db_error(db) : "unreadable");
            free(sql);
            applied = -1;
            break;
        }
        free(sql);
        if (db_exec(db, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", "is",
                    (long long)version, names[i]) < 0) {
            applied = -1;
            break;
        }
        log_info("migrate: applied %s", names[i]);
        applied++;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
unlock:
    if (!db_query(db, &a, "SELECT RELEASE_LOCK('quiz_migrate')", ""))
        log_warn("migrate: could not release the lock (it goes with the connection)");
out:
    arena_free(&a);
    return applied;
}
