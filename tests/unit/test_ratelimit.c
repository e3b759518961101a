/* test_ratelimit.c: the per-process fallback counter of engines/accounts/ratelimit
 * (what limits admin sign-in while Redis is down), and the Argon2id
 * password helpers of engines/accounts/password. */
#include "tests/unit/check.h"
#include "engines/accounts/password.h"
#include "engines/accounts/ratelimit.h"

#include <stdio.h>

TEST(admits_up_to_the_limit_then_waits_for_the_window)
{
    rl_local_reset();
    int64_t t = 1000000;
    for (int i = 0; i < 5; i++)
        CHECK_INT(rl_local_take("acct:a", 5, 60, t + i), 0);
    /* the sixth within the window that started at t: refused, ~60 s left */
    CHECK_INT(rl_local_take("acct:a", 5, 60, t + 10), 60);
    CHECK_INT(rl_local_take("acct:a", 5, 60, t + 30000), 30);
    CHECK_INT(rl_local_take("acct:a", 5, 60, t + 59001), 1);
    /* refusals are not counted; the window is over: counting starts again */
    CHECK_INT(rl_local_take("acct:a", 5, 60, t + 60000), 0);
    CHECK_INT(rl_local_take("acct:a", 1, 60, t + 60001), 60);
}

TEST(giving_back_makes_room)
{
    rl_local_reset();
    for (int i = 0; i < 3; i++)
        CHECK_INT(rl_local_take("addr:x", 3, 60, 0), 0);
    CHECK(rl_local_take("addr:x", 3, 60, 1) > 0);
    rl_local_give_back("addr:x", 2);         /* that one succeeded */
    CHECK_INT(rl_local_take("addr:x", 3, 60, 3), 0);
    CHECK(rl_local_take("addr:x", 3, 60, 4) > 0);
    rl_local_give_back("addr:never", 5);     /* unknown key: nothing happens */
}

TEST(keys_are_separate_and_clear_forgets)
{
    rl_local_reset();
    for (int i = 0; i < 3; i++)
        rl_local_take("addr:x", 3, 60, 0);
    CHECK(rl_local_take("addr:x", 3, 60, 1) > 0);
    CHECK_INT(rl_local_take("addr:y", 3, 60, 1), 0);
    rl_local_clear("addr:x");
    CHECK_INT(rl_local_take("addr:x", 3, 60, 1), 0);
}

TEST(a_flood_of_keys_evicts_the_oldest_window)
{
    rl_local_reset();
    char id[32];
    rl_local_take("victim", 1, 60, 0);              /* the oldest window */
    for (int i = 0; i < RL_LOCAL_SLOTS - 1; i++) {
        snprintf(id, sizeof id, "k%d", i);
        rl_local_take(id, 1, 60, 1000 + i);
    }
    CHECK(rl_local_take("victim", 1, 60, 2000) > 0);  /* the table is just full */
    rl_local_take("newcomer", 1, 60, 5000);
    CHECK(rl_local_take("newcomer", 1, 60, 5001) > 0);
    CHECK_INT(rl_local_take("victim", 1, 60, 5001), 0); /* pushed out, never locked in */
    /* ... and coming back pushed out the next oldest (k0), not the rest */
    CHECK(rl_local_take("k1", 1, 60, 5002) > 0);
    CHECK(rl_local_take("victim", 1, 60, 5003) > 0);
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
    RUN(admits_up_to_the_limit_then_waits_for_the_window);
    RUN(giving_back_makes_room);
    RUN(keys_are_separate_and_clear_forgets);
    RUN(a_flood_of_keys_evicts_the_oldest_window);
    RUN(password_round_trip);
    RUN(unknown_name_dummy_never_matches);
    return check_summary();
}
