/* purge.c: quizd purge-personal-data --contest ID (see accounts.h).
 *
 * PIPL's limited retention: purge_after_days (default 180) after a
 * contest's end, the names, phone numbers and WeChat ids of the people who
 * took part are erased the way DELETE /me erases them (privacy.c), so the
 * scores, boards and totals stay and show the erased name. A person who
 * also takes part in a contest still inside its retention is kept whole
 * until that one's purge. Run it from cron (README, Production); running
 * it again erases nobody twice. Every run that erases is recorded in
 * privacy_log. */
#include "engines/accounts/accounts.h"
#include "lib/iso8601.h"
#include "server/clock.h"
#include "server/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: quizd purge-personal-data --contest ID\n");
    return 2;
}

int cmd_purge_personal_data(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--contest") != 0)
        return usage();
    char *end;
    long long cid = strtoll(argv[2], &end, 10);
    if (*end || cid <= 0)
        return usage();
    long long keep_s = (long long)(g_config.purge_after_days > 0 ? g_config.purge_after_days : 0) * 86400;
    db_t *db = db_new();
    kv_t *kv = kv_new();
    arena_t a;
    arena_init(&a);
    int rc = 1;
    long long now = clock_now_s();
    db_res_t *c = db_query(db, &a, "SELECT ends_at FROM contests WHERE id = ?", "i", cid);
    if (!c) {
        fprintf(stderr, "database: %s\n", db_error(db));
        goto out;
    }
    if (!c->nrows) {
        fprintf(stderr, "no contest %lld\n", cid);
        rc = 2;
        goto out;
    }
    long long due = db_int(c, 0, 0) + keep_s;
    if (now < due) {
        char when[32];
        iso8601_format_shanghai(due, when);
        printf("contest %lld: personal data is kept until %s (purge_after_days = %d); nothing erased\n",
               cid, when, g_config.purge_after_days);
        rc = 3;
        goto out;
    }
    /* people of this contest with no contest still inside its retention */
    db_res_t *people = db_query(db, &a,
        "SELECT p.user_id FROM (SELECT user_id FROM contest_scores WHERE contest_id = ?"
        " UNION SELECT user_id FROM attempts WHERE contest_id = ?) p"
        " JOIN users u ON u.id = p.user_id AND u.erased_at IS NULL"
        " WHERE NOT EXISTS (SELECT 1 FROM contest_scores s JOIN contests k ON k.id = s.contest_id"
        "   WHERE s.user_id = p.user_id AND k.ends_at + ? > ?)"
        " AND NOT EXISTS (SELECT 1 FROM attempts t JOIN contests k ON k.id = t.contest_id"
        "   WHERE t.user_id = p.user_id AND k.ends_at + ? > ?)",
        "iiiiii", cid, cid, keep_s, now, keep_s, now);
    if (!people) {
        fprintf(stderr, "database: %s\n", db_error(db));
        goto out;
    }
    long long erased = 0, failed = 0;
    const char *why = arena_sprintf(&a, "purged after contest %lld", cid);
    for (size_t i = 0; i < people->nrows; i++) {
        arena_t one;
        arena_init(&one);
        if (privacy_erase_user(db, kv, &one, db_int(people, i, 0), why) == ST_OK)
            erased++;
        else
            failed++;
        arena_free(&one);
    }
    if (db_exec(db, "INSERT INTO privacy_log (action, contest_id, affected, detail, created_at)"
                    " VALUES ('purge', ?, ?, ?, ?)", "iisi", cid, erased,
                failed ? "some people could not be erased; run again" : "", now) < 0)
        fprintf(stderr, "database: %s\n", db_error(db));
    printf("contest %lld: personal data of %lld people erased%s\n", cid, erased,
           failed ? " (some failed: run again)" : "");
    rc = failed ? 1 : 0;
out:
    arena_free(&a);
    kv_free(kv);
    db_free(db);
    return rc;
}
