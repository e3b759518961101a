/* test_arena.c: server/arena.c — arena_sprintf gives the whole text
 * whether it fits the current chunk's free space, fills it exactly, or
 * needs a chunk of its own, and what it wrote before stays intact. */
#include "server/arena.h"
#include "tests/unit/check.h"

#include <stdlib.h>

/* A string of n copies of c, from malloc. */
static char *filled(size_t n, char c)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

TEST(sprintf_small_texts_follow_one_another)
{
    arena_t a;
    arena_init(&a);
    const char *x = arena_sprintf(&a, "%d-%s", 42, "abc");
    const char *y = arena_sprintf(&a, "[%s]", "");
    char *z = arena_alloc(&a, 5);
    CHECK_STR(x, "42-abc");
    CHECK_STR(y, "[]");
    CHECK(z[0] == 0 && z[4] == 0);
    CHECK_STR(arena_sprintf(&a, "%s", ""), "");
    arena_free(&a);
}

TEST(sprintf_texts_larger_than_the_room_left_or_a_chunk)
{
    /* 4365: "<...>" fills the room left (16384 - 16 - 12000) exactly */
    size_t sizes[] = { 100, 4364, 4365, 4366, 8000, 16383, 16384, 16400, 40000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        arena_t a;
        arena_init(&a);
        char *big = filled(sizes[i], 'q');
        const char *before = arena_sprintf(&a, "%s", "kept");
        /* fill most of the first chunk so the next text may not fit */
        arena_alloc(&a, 12000);
        const char *t = arena_sprintf(&a, "<%s>", big);
        CHECK(t && strlen(t) == sizes[i] + 2 && t[0] == '<' && t[sizes[i] + 1] == '>');
        CHECK(t && strncmp(t + 1, big, sizes[i]) == 0);
        const char *after = arena_sprintf(&a, "%zu", sizes[i]);
        char want[32];
        snprintf(want, sizeof want, "%zu", sizes[i]);
        CHECK_STR(after, want);
        CHECK_STR(before, "kept");
        arena_reset(&a);
        CHECK_STR(arena_sprintf(&a, "%s", big), big);
        free(big);
        arena_free(&a);
    }
}

int main(void)
{
    RUN(sprintf_small_texts_follow_one_another);
    RUN(sprintf_texts_larger_than_the_room_left_or_a_chunk);
    return check_summary();
}
