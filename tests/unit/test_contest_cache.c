/* test_contest_cache.c: engines/quiz/contest_cache.c — a contest kept by
 * id comes back with every field as it went in (NULL strings stay NULL),
 * a write of this process (contests_changed) drops the copies, a row read
 * before such a write is not kept, and another id is a miss. */
#include "tests/unit/check.h"
#include "engines/quiz/contest_cache.h"
#include "server/config.h"

#include <string.h>

static arena_t A;

static contest_t sample(long long id, const char *prizes)
{
    contest_t c = { .id = id, .slug = "liuxiang", .name = "六项机制", .is_main = 0,
                    .registration_deadline = 1717603199, .starts_at = 1717516800, .ends_at = 1719759600,
                    .paper_json = "[{\"category\":\"六项机制\",\"count\":20}]", .points_per_question = 5,
                    .time_limit_s = 1200, .attempts_per_day = 2, .score_rule = "best",
                    .certificate_threshold = 85, .certificate_hours = 4, .certificate_days = 2,
                    .prize_settings = prizes, .audience = "staff", .review_policy = "after_end" };
    return c;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same(const contest_t *a, const contest_t *b)
{
    return a->id == b->id && same_text(a->slug, b->slug) && same_text(a->name, b->name) &&
           a->is_main == b->is_main && a->registration_deadline == b->registration_deadline &&
           a->starts_at == b->starts_at && a->ends_at == b->ends_at && same_text(a->paper_json, b->paper_json) &&
           a->points_per_question == b->points_per_question && a->time_limit_s == b->time_limit_s &&
           a->attempts_per_day == b->attempts_per_day && same_text(a->score_rule, b->score_rule) &&
           a->certificate_threshold == b->certificate_threshold && a->certificate_hours == b->certificate_hours &&
           a->certificate_days == b->certificate_days && same_text(a->prize_settings, b->prize_settings) &&
           same_text(a->audience, b->audience) && same_text(a->review_policy, b->review_policy);
}

TEST(every_field_comes_back)
{
    req_t r = { .arena = &A };
    contest_t in[2] = { sample(7, "{\"rank\":[{\"level\":\"一等奖\",\"count\":1}]}"), sample(8, NULL) };
    in[1].is_main = 1;
    in[1].certificate_threshold = -1;
    in[1].audience = NULL;
    for (int i = 0; i < 2; i++)
        contest_cache_put(&r, &in[i], contest_cache_gen());
    for (int i = 0; i < 2; i++) {
        contest_t out;
        CHECK_INT(contest_cache_get(&r, in[i].id, &out), 1);
        CHECK(same(&in[i], &out));
    }
    contest_t out;
    CHECK_INT(contest_cache_get(&r, 9, &out), 0);
}

TEST(a_write_of_this_process_drops_the_copies)
{
    req_t r = { .arena = &A };
    contest_t c = sample(11, NULL), out;
    contest_cache_put(&r, &c, contest_cache_gen());
    CHECK_INT(contest_cache_get(&r, 11, &out), 1);
    contests_changed();
    CHECK_INT(contest_cache_get(&r, 11, &out), 0);
}

TEST(a_row_read_before_a_write_is_not_kept)
{
    req_t r = { .arena = &A };
    contest_t c = sample(12, NULL), out;
    uint64_t gen = contest_cache_gen();   /* the row is read ... */
    contests_changed();                   /* ... a write commits meanwhile ... */
    contest_cache_put(&r, &c, gen);       /* ... and the old row comes to be kept */
    CHECK_INT(contest_cache_get(&r, 12, &out), 0);
    contest_cache_put(&r, &c, contest_cache_gen());
    CHECK_INT(contest_cache_get(&r, 12, &out), 1);
}

int main(void)
{
    g_config.contest_cache_ms = 60000;
    arena_init(&A);
    RUN(every_field_comes_back);
    RUN(a_write_of_this_process_drops_the_copies);
    RUN(a_row_read_before_a_write_is_not_kept);
    arena_free(&A);
    return check_summary();
}
