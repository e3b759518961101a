/* test_status.c: the status type (server/status.h), the one place that
 * turns a status into a reply (reply_status), and the arena's ownership of
 * Jansson values (arena_json, arena_json_text). */
#include "tests/unit/check.h"
#include "server/request.h"
#include "server/status.h"

#include <string.h>

TEST(every_status_has_a_name)
{
    CHECK_STR(status_str(ST_OK), "ok");
    CHECK_STR(status_str(ST_REPLIED), "replied");
    CHECK_STR(status_str(ST_NOT_FOUND), "not_found");
    CHECK_STR(status_str(ST_ERR), "internal");
    CHECK_STR(status_str(ST_STORE), "store_unavailable");
    CHECK_STR(status_str(ST_RETRY), "retry");
    CHECK_STR(status_str(ST_INVALID), "invalid");
    CHECK_STR(status_str(ST_FORBIDDEN), "forbidden");
    CHECK_STR(status_str(ST_BUSY), "busy");
    CHECK_STR(status_str(ST_GONE), "gone");
    CHECK_STR(status_str(ST_CONFLICT), "conflict");
    CHECK_STR(status_str((status_t)42), "unknown");
    /* failures are negative, as the handlers' callers test them */
    CHECK(ST_ERR < 0 && ST_STORE < 0 && ST_RETRY < 0);
    CHECK(ST_INVALID < 0 && ST_FORBIDDEN < 0 && ST_BUSY < 0 && ST_GONE < 0 && ST_CONFLICT < 0);
    CHECK(ST_OK == 0 && ST_REPLIED > 0 && ST_NOT_FOUND > 0);
}

static int status_of(int st, int replied_first)
{
    arena_t a;
    arena_init(&a);
    req_t r;
    memset(&r, 0, sizeof r);
    r.arena = &a;
    if (replied_first)
        reply_error(&r, 400, "invalid_parameter", "x");
    CHECK_INT(reply_status(&r, st), st);
    int out = r.replied ? r.status : 0;
    if (out >= 500)
        CHECK(r.out && strstr(r.out, st == ST_STORE || st == ST_RETRY ? "\"unavailable\"" : "\"internal\"") != NULL);
    arena_free(&a);
    return out;
}

TEST(reply_status_is_the_one_mapping)
{
    CHECK_INT(status_of(ST_STORE, 0), 503);
    CHECK_INT(status_of(ST_RETRY, 0), 503);
    CHECK_INT(status_of(ST_ERR, 0), 500);
    CHECK_INT(status_of(-7, 0), 500);
    /* an engine's outcome the handler did not turn into its contract reply */
    CHECK_INT(status_of(ST_INVALID, 0), 500);
    CHECK_INT(status_of(ST_CONFLICT, 0), 500);
    CHECK_INT(status_of(-99, 0), 500);
    /* success and "already replied" send nothing, and a reply is never overwritten */
    CHECK_INT(status_of(ST_OK, 0), 0);
    CHECK_INT(status_of(ST_REPLIED, 0), 0);
    CHECK_INT(status_of(ST_STORE, 1), 400);
}

TEST(arena_owns_json)
{
    arena_t a;
    arena_init(&a);
    json_t *j = json_pack("{s:[i,i]}", "k", 1, 2);
    CHECK(arena_json(&a, j) == j);
    json_incref(j);                       /* a second owner, to watch the count */
    CHECK_INT((long long)j->refcount, 2);
    char *text = arena_json_text(&a, j);
    CHECK_STR(text, "{\"k\":[1,2]}");
    CHECK(arena_json(&a, NULL) == NULL);
    CHECK(arena_json_text(&a, NULL) == NULL);
    arena_free(&a);                       /* the arena's reference goes with it */
    CHECK_INT((long long)j->refcount, 1);
    json_decref(j);
}

int main(void)
{
    RUN(every_status_has_a_name);
    RUN(reply_status_is_the_one_mapping);
    RUN(arena_owns_json);
    return check_summary();
}
