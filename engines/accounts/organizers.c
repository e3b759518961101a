/* organizers.c: see organizers.h. */
#include "engines/accounts/organizers.h"
#include "engines/accounts/password.h"
#include "engines/console/console.h"
#include "rules/region_code.h"
#include "server/clock.h"
#include "server/db.h"
#include "server/kv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* 3..64 of [A-Za-z0-9._@-]: names that need no escaping anywhere. */
static int username_ok(const char *u)
{
    size_t n = strlen(u);
    if (n < 3 || n > 64)
        return 0;
    for (; *u; u++)
        if (!((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9') ||
              strchr("._@-", *u)))
            return 0;
    return 1;
}

/* The password: QUIZ_NEW_PASSWORD, else one line of stdin. Returns a
 * malloc'd string or NULL. */
static char *read_password(void)
{
    const char *env = getenv("QUIZ_NEW_PASSWORD");
    if (env && *env)
        return strdup(env);
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fprintf(stderr, "password: ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fprintf(stderr, "\n");
    }
    if (n <= 0) {
        free(line);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

/* The account's id, 0 when there is none, -1 on a store error. */
static long long organizer_id_of(db_t *db, arena_t *a, const char *user)
{
    db_res_t *res = db_query(db, a, "SELECT id FROM organizers WHERE username = ?", "s", user);
    if (!res) {
        fprintf(stderr, "database: %s\n", db_error(db));
        return -1;
    }
    return res->nrows ? db_int(res, 0, 0) : 0;
}

/* The password typed for a new account or a reset, hashed into hash.
 * Returns 0, 2 (bad length, message printed) or 1. */
static int new_password_hash(char hash[PASSWORD_HASH_MAX])
{
    char *pw = read_password();
    size_t len = pw ? strlen(pw) : 0;
    if (!pw || len < PASSWORD_MIN_LEN || len > PASSWORD_MAX_LEN) {
        fprintf(stderr, "the password must be %d to %d characters\n", PASSWORD_MIN_LEN,
                PASSWORD_MAX_LEN);
        if (pw)
            explicit_bzero(pw, len);
        free(pw);
        return 2;
    }
    int hrc = password_hash(pw, len, hash);
    explicit_bzero(pw, len);
    free(pw);
    if (hrc < 0) {
        fprintf(stderr, "hashing the password failed\n");
        return 1;
    }
    return 0;
}

/* An organizer as the audit records it (never the password hash). */
static json_t *organizer_json(db_t *db, arena_t *a, long long id)
{
    db_res_t *res = db_query(db, a, "SELECT username, area, disabled FROM organizers WHERE id = ?",
                             "i", id);
    if (!res || !res->nrows)
        return NULL;
    return json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)id, "username", db_get(res, 0, 0),
                     "area", *db_get(res, 0, 1) ? db_get(res, 0, 1) : "all",
                     "disabled", (int)db_int(res, 0, 2));
}

/* Parse "USERNAME [AREA]" or "USERNAME --area AREA" into user and area
 * ("" = all). Returns 0 or 2 (usage printed). */
static int add_args(int argc, char **argv, const char **user, char area[7])
{
    const char *area_in = "";
    *user = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--area") == 0 && i + 1 < argc)
            area_in = argv[++i];
        else if (strncmp(argv[i], "--area=", 7) == 0)
            area_in = argv[i] + 7;
        else if (!*user)
            *user = argv[i];
        else if (!*area_in)
            area_in = argv[i];
        else
            *user = NULL, i = argc;
    }
    if (!*user) {
        fprintf(stderr, "usage: quizd organizer-add USERNAME [--area CODE]\n"
                        "  password from QUIZ_NEW_PASSWORD or stdin; CODE: a region code, or all\n");
        return 2;
    }
    if (!username_ok(*user)) {
        fprintf(stderr, "user name: 3 to 64 of letters, digits and . _ @ -\n");
        return 2;
    }
    area[0] = '\0';
    if (*area_in && strcmp(area_in, "all") != 0 && rules_region_code_parse(area_in, area) < 0) {
        fprintf(stderr, "AREA must be a 6-digit region code, or all\n");
        return 2;
    }
    return 0;
}

/* The transactions below run under db_tx (server/db.h), tried again
 * after a deadlock or a lock wait: the console's requests lock the same
 * organizers and sessions rows. A failed try keeps MariaDB's message here
 * (db_tx's rollback clears it) for the command to print. */
static int tx_failed(db_t *db, char error[200])
{
    snprintf(error, 200, "%s", db_error(db));
    return ST_STORE;
}

typedef struct {
    arena_t *a;
    const char *user, *hash, *area;
    int created;
    char error[200];
} add_tx_t;

/* Insert, or (same name) new password and area, enabled again: affected
 * rows 1 = created, 2 = updated. */
static int add_tx(db_t *db, void *ctx)
{
    add_tx_t *x = ctx;
    long long id = organizer_id_of(db, x->a, x->user);
    if (id < 0)
        return tx_failed(db, x->error);
    json_t *before = id > 0 ? organizer_json(db, x->a, id) : NULL;
    long long n = db_exec(db,
                          "INSERT INTO organizers (username, password_hash, area, disabled, created_at)"
                          " VALUES (?, ?, ?, 0, ?) ON DUPLICATE KEY UPDATE"
                          " password_hash = VALUES(password_hash), area = VALUES(area), disabled = 0",
                          "sssi", x->user, x->hash, x->area, (long long)clock_now_s());
    /* no statement after a failed one: db_tx reads the failure's number */
    if (n < 0 || (!id && (id = organizer_id_of(db, x->a, x->user)) <= 0)) {
        json_decref(before);
        return tx_failed(db, x->error);
    }
    json_t *after = organizer_json(db, x->a, id);
    int ok = after && (n == 1 || console_organizer_end_sessions(db, x->a, id) >= 0) &&
             console_audit(db, 0, n == 1 ? "organizer.add" : "organizer.update", "organizer", id,
                           before, after) == 0 &&
             db_commit(db) == 0;
    json_decref(before);
    json_decref(after);
    if (!ok)
        return tx_failed(db, x->error);
    x->created = n == 1;
    return ST_OK;
}

int cmd_organizer_add(int argc, char **argv)
{
    const char *user;
    char area[7];
    int rc = add_args(argc, argv, &user, area);
    if (rc)
        return rc;
    char hash[PASSWORD_HASH_MAX];
    if ((rc = new_password_hash(hash)))
        return rc;

    rc = 1;
    db_t *db = db_new();
    arena_t a;
    arena_init(&a);
    if (*area) {
        db_res_t *res = db_query(db, &a, "SELECT 1 FROM regions WHERE code = ?", "s", area);
        if (!res) {
            fprintf(stderr, "database: %s\n", db_error(db));
            goto out;
        }
        if (!res->nrows) {
            fprintf(stderr, "no region %s\n", area);
            rc = 2;
            goto out;
        }
    }
    add_tx_t x = { &a, user, hash, area, 0, { 0 } };
    if (db_tx(db, add_tx, &x) != ST_OK) {
        fprintf(stderr, "database: %s\n", x.error[0] ? x.error : db_error(db));
        goto out;
    }
    printf("organizer %s %s (area: %s)\n", user, x.created ? "created" : "updated",
           *area ? area : "all");
    rc = 0;
out:
    arena_free(&a);
    db_free(db);
    return rc;
}

int cmd_organizer_list(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: quizd organizer-list\n");
        return 2;
    }
    db_t *db = db_new();
    arena_t a;
    arena_init(&a);
    db_res_t *res = db_query(db, &a, "SELECT o.id, o.username, o.area, o.disabled,"
                                     " (SELECT COUNT(*) FROM sessions s WHERE s.organizer_id = o.id"
                                     "  AND s.expires_at > ?) FROM organizers o ORDER BY o.id",
                             "i", (long long)clock_now_s());
    int rc = res ? 0 : 1;
    if (!res)
        fprintf(stderr, "database: %s\n", db_error(db));
    for (size_t i = 0; res && i < res->nrows; i++)
        printf("%lld\t%s\t%s\t%s\t%lld sessions\n", db_int(res, i, 0), db_get(res, i, 1),
               *db_get(res, i, 2) ? db_get(res, i, 2) : "all",
               db_int(res, i, 3) ? "disabled" : "enabled", db_int(res, i, 4));
    arena_free(&a);
    db_free(db);
    return rc;
}

typedef struct {
    arena_t *a;
    long long id;
    int disable;
    const char *hash;
    long long ended;
    char error[200];
} change_tx_t;

static int change_tx(db_t *db, void *ctx)
{
    change_tx_t *x = ctx;
    json_t *before = organizer_json(db, x->a, x->id);
    x->ended = -1;
    int ok = (x->disable ? db_exec(db, "UPDATE organizers SET disabled = 1 WHERE id = ?", "i", x->id)
                         : db_exec(db, "UPDATE organizers SET password_hash = ? WHERE id = ?", "si",
                                   x->hash, x->id)) >= 0 &&
             (x->ended = console_organizer_end_sessions(db, x->a, x->id)) >= 0;
    json_t *after = ok ? organizer_json(db, x->a, x->id) : NULL;
    if (after)
        json_object_set_new(after, x->disable ? "sessions_ended" : "password_reset",
                            x->disable ? json_integer(x->ended) : json_true());
    ok = ok && after &&
         console_audit(db, 0, x->disable ? "organizer.disable" : "organizer.password", "organizer",
                       x->id, before, after) == 0 &&
         db_commit(db) == 0;
    json_decref(before);
    json_decref(after);
    return ok ? ST_OK : tx_failed(db, x->error);
}

/* organizer-disable and organizer-password: one account, changed, its
 * sessions ended and the change recorded in one transaction. */
static int change_account(int argc, char **argv, int disable)
{
    if (argc != 2 || !username_ok(argv[1])) {
        fprintf(stderr, "usage: quizd %s USERNAME\n", disable ? "organizer-disable" : "organizer-password");
        return 2;
    }
    char hash[PASSWORD_HASH_MAX];
    int rc;
    if (!disable && (rc = new_password_hash(hash)))
        return rc;
    rc = 1;
    db_t *db = db_new();
    arena_t a;
    arena_init(&a);
    long long id = organizer_id_of(db, &a, argv[1]);
    if (id == 0) {
        fprintf(stderr, "no organizer %s\n", argv[1]);
        rc = 2;
    }
    change_tx_t x = { &a, id, disable, hash, -1, { 0 } };
    if (id <= 0)
        goto out;
    if (db_tx(db, change_tx, &x) != ST_OK) {
        fprintf(stderr, "database: %s\n", x.error[0] ? x.error : db_error(db));
        goto out;
    }
    printf("organizer %s %s; %lld sessions ended\n", argv[1],
           disable ? "disabled" : "has a new password", x.ended);
    rc = 0;
out:
    arena_free(&a);
    db_free(db);
    return rc;
}

int cmd_organizer_disable(int argc, char **argv)
{
    return change_account(argc, argv, 1);
}

int cmd_organizer_password(int argc, char **argv)
{
    return change_account(argc, argv, 0);
}
