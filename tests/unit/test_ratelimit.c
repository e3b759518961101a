/* test_ratelimit.c: the per-process fallback counter of handlers/ratelimit
 * (what limits admin sign-in while Redis is down), and the Argon2id
 * password helpers of handlers/password. */
#include "tests/unit/check.h"
#include "handlers/password.h"
#include "handlers/ratelimit.h"

#include <stdio.h>

TEST(blocks_at_the_limit_until_the_window_ends)
{
    rl_local_reset();
    int64_t t = 1000000;
    for (int i = 0; i < 4; i++) {
        CHECK_INT(rl_local_blocked("acct:a", 5, t), 0);
        rl_local_fail("acct:a", 60, t + i);
    }
    CHECK_INT(rl_local_blocked("acct:a", 5, t + 10), 0);
    rl_local_fail("acct:a", 60, t + 10);
    /* five failures in the window that started at t: blocked ~60 s */
    CHECK_INT(rl_local_blocked("acct:a", 5, t + 11), 60);
    CHECK_INT(rl_local_blocked("acct:a", 5, t + 30000), 30);
    CHECK_INT(rl_local_blocked("acct:a", 5, t + 59001), 1);
    /* the window is over: counting starts again */
    CHECK_INT(rl_local_blocked("acct:a", 5, t + 60000), 0);
    rl_local_fail("acct:a", 60, t + 60000);
    CHECK_INT(rl_local_blocked("acct:a", 1, t + 60001), 60);
}

TEST(keys_are_separate_and_clear_forgets)
{
    rl_local_reset();
    for (int i = 0; i < 3; i++)
        rl_local_fail("addr:x", 60, 0);
    CHECK(rl_local_blocked("addr:x", 3, 1) > 0);
    CHECK_INT(rl_local_blocked("addr:y", 3, 1), 0);
    rl_local_clear("addr:x");
    CHECK_INT(rl_local_blocked("addr:x", 3, 1), 0);
}

TEST(a_flood_of_keys_evicts_the_oldest_window)
{
    rl_local_reset();
    char id[32];
    rl_local_fail("victim", 60, 0);              /* the oldest window */
    for (int i = 0; i < RL_LOCAL_SLOTS - 1; i++) {
        snprintf(id, sizeof id, "k%d", i);
        rl_local_fail(id, 60, 1000 + i);
    }
    CHECK(rl_local_blocked("victim", 1, 2000) > 0);  /* the table is just full */
    rl_local_fail("newcomer", 60, 5000);
    CHECK(rl_local_blocked("newcomer", 1, 5001) > 0);
    CHECK_INT(rl_local_blocked("victim", 1, 5001), 0); /* pushed out, never locked in */
    CHECK(rl_local_blocked("k0", 1, 5001) > 0);
}

TEST(password_round_trip)
{
    char h[PASSWORD_HASH_MAX];
    CHECK_INT(password_hash("correct horse battery", 21, h), 0);
    CHECK(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    CHECK_INT(password_verify(h, "correct horse battery", 21), 1);
    CHECK_INT(password_verify(h, "correct horse batterY", 21), 0);
    CHECK_INT(password_verify(h, "correct horse battery", 20), 0);
    char h2[PASSWORD_HASH_MAX];
    CHECK_INT(password_hash("correct horse battery", 21, h2), 0);
    CHECK(strcmp(h, h2) != 0);                     /* a fresh salt each time */
    CHECK_INT(password_verify("not a hash", "x", 1), 0);
}

TEST(unknown_name_dummy_never_matches)
{
    /* the dummy is a hash of a fixed string: even that string fails */
    CHECK_INT(password_verify(NULL, "no password matches this", 24), 0);
    CHECK_INT(password_verify(NULL, "", 0), 0);
}

int main(void)
{
    RUN(blocks_at_the_limit_until_the_window_ends);
    RUN(keys_are_separate_and_clear_forgets);
    RUN(a_flood_of_keys_evicts_the_oldest_window);
    RUN(password_round_trip);
    RUN(unknown_name_dummy_never_matches);
    return check_summary();
}
