/* organizers.c: see organizers.h. */
#include "engines/accounts/organizers.h"
#include "engines/accounts/password.h"
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

/* A new password ends the account's sessions (in MariaDB and Redis's
 * cache): whoever knew the old one is out. */
static void end_sessions(db_t *db, arena_t *a, const char *user)
{
    db_res_t *res = db_query(db, a,
                             "SELECT s.token_hash FROM sessions s JOIN organizers o"
                             " ON o.id = s.organizer_id WHERE o.username = ?", "s", user);
    kv_t *kv = kv_new();
    for (size_t i = 0; res && i < res->nrows; i++)
        kv_cmd(kv, a, "DEL sess:%s", db_get(res, i, 0));
    kv_free(kv);
    db_exec(db, "DELETE s FROM sessions s JOIN organizers o ON o.id = s.organizer_id"
                " WHERE o.username = ?", "s", user);
}

int cmd_organizer_add(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: quizd organizer-add USERNAME [AREA]\n"
                        "  password from QUIZ_NEW_PASSWORD or stdin; AREA: a region code, or all\n");
        return 2;
    }
    const char *user = argv[1];
    const char *area_in = argc == 3 ? argv[2] : "";
    char area[7] = "";
    if (!username_ok(user)) {
        fprintf(stderr, "user name: 3 to 64 of letters, digits and . _ @ -\n");
        return 2;
    }
    if (*area_in && strcmp(area_in, "all") != 0 && rules_region_code_parse(area_in, area) < 0) {
        fprintf(stderr, "AREA must be a 6-digit region code, or all\n");
        return 2;
    }

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
    char hash[PASSWORD_HASH_MAX];
    int hrc = password_hash(pw, len, hash);
    explicit_bzero(pw, len);
    free(pw);
    if (hrc < 0) {
        fprintf(stderr, "hashing the password failed\n");
        return 1;
    }

    int rc = 1;
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
    /* Insert, or (same name) new password and area, enabled again:
     * affected rows 1 = created, 2 = updated. */
    long long n = db_exec(db,
                          "INSERT INTO organizers (username, password_hash, area, disabled, created_at)"
                          " VALUES (?, ?, ?, 0, ?) ON DUPLICATE KEY UPDATE"
                          " password_hash = VALUES(password_hash), area = VALUES(area), disabled = 0",
                          "sssi", user, hash, area, (long long)clock_now_s());
    if (n < 0) {
        fprintf(stderr, "database: %s\n", db_error(db));
        goto out;
    }
    if (n != 1)
        end_sessions(db, &a, user);
    printf("organizer %s %s (area: %s)\n", user, n == 1 ? "created" : "updated",
           *area ? area : "all");
    rc = 0;
out:
    arena_free(&a);
    db_free(db);
    return rc;
}
