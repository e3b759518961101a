/* test_paper_text.c: engines/quiz/paper_text.c — the paper as shown,
 * written from texts escaped once per bank version, is the very bytes
 * Jansson writes for the same questions built value by value (as the
 * start's reply was built before). */
#include "check.h"
#include "engines/quiz/paper_text.h"

#include <jansson.h>
#include <stdlib.h>

/* The question as the reply showed it before: options in perm's order. */
static json_t *by_value(long long id, const quiz_bank_text_t *t, const char *perm)
{
    json_t *opts = json_loads(t->options, 0, NULL), *shown = json_array();
    for (size_t i = 0; perm[i]; i++) {
        const char *text = json_string_value(json_array_get(opts, (size_t)(perm[i] - 'A')));
        char key[2] = { (char)('A' + i), 0 };
        json_array_append_new(shown, json_pack("{s:s,s:s}", "key", key, "text", text ? text : ""));
    }
    json_decref(opts);
    return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)id, "type", t->type, "stem", t->stem, "options", shown);
}

static draw_question_t q[4] = {
    { 11, "c", PQ_SINGLE, 4 }, { 12, "c", PQ_MULTIPLE, 5 }, { 13, "c", PQ_JUDGE, 2 }, { 14, "c", PQ_SINGLE, 3 },
};
static quiz_bank_text_t text[4] = {
    { "single", "引号 \"和\" 反斜杠 \\ 与换行\n制表\t", "[\"甲\",\"乙 / 丙\",\"<b>&amp;</b>\",\"\\u0001控制\"]", "A", "" },
    { "multiple", "多选", "[\"A\",\"B\",\"C\",\"D\",\"E\"]", "AC", "" },
    { "judge", "判断", "[\"对\",\"错\"]", "A", "" },
    { "single", "选项不是文字", "[1,null,\"三\"]", "C", "" },   /* not strings: shown as "" */
};

static char *expected(const drawn_question_t *d, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, by_value(d[i].id, &text[d[i].bank_index], d[i].perm));
    char *s = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return s;
}

TEST(same_bytes_as_jansson)
{
    quiz_bank_t b = { .version = 7, .n = 4, .q = q, .text = text };
    drawn_question_t d[4] = { { 12, 1, "ECADB" }, { 11, 0, "DBAC" }, { 14, 3, "CAB" }, { 13, 2, "BA" } };
    arena_t a;
    arena_init(&a);
    for (int n = 0; n <= 4; n++) {
        char *want = expected(d, n);
        CHECK_STR(paper_text_shown(&a, &b, d, n), want);
        free(want);
    }
    /* a new version is escaped anew */
    quiz_bank_text_t moved[4] = { text[0], text[1], text[2], { "single", "改过的题", "[\"一\",\"二\",\"三\"]", "B", "" } };
    quiz_bank_t b2 = { .version = 8, .n = 4, .q = q, .text = moved };
    char *got = paper_text_shown(&a, &b2, d + 2, 1);
    CHECK(got && strstr(got, "改过的题") != NULL);
    arena_free(&a);
}

TEST(a_question_not_of_the_bank_is_refused)
{
    quiz_bank_t b = { .version = 9, .n = 4, .q = q, .text = text };
    drawn_question_t wrong_id = { 99, 0, "ABCD" }, past_end = { 11, 4, "ABCD" };
    arena_t a;
    arena_init(&a);
    CHECK(paper_text_shown(&a, &b, &wrong_id, 1) == NULL);
    CHECK(paper_text_shown(&a, &b, &past_end, 1) == NULL);
    arena_free(&a);
}

int main(void)
{
    RUN(same_bytes_as_jansson);
    RUN(a_question_not_of_the_bank_is_refused);
    return check_summary();
}
