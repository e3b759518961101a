/* boards.h: live leaderboards of people, units and regions in Redis.
 *
 * MariaDB is the truth (contest_scores, profiles, units); Redis holds one
 * set of boards per contest, which can always be rebuilt from it. Every
 * accepted submit writes a board_outbox row in its own transaction; the
 * rows reach Redis through one Lua script that updates every board an
 * entry touches at once and records the attempt as applied, run
 *   - by the submits themselves, inside their group's transaction before
 *     its commit, for the ranks of the stored replies (lb_ranks_after_submits;
 *     a commit that then fails has the boards rebuilt from MariaDB),
 *   - by every server's background thread (lb_drain), which also catches
 *     up after Redis was away and rebuilds boards it finds missing.
 * Applying an entry twice, or entries out of order, changes nothing: a
 * person's rank key only ever grows, and the aggregates move by the
 * difference to what the board already holds (see lua.c).
 *
 * Key layout and the rebuild: internal.h and rebuild.c. */
#ifndef BOARDS_H
#define BOARDS_H

#include "server/request.h"

#include <stdint.h>

/* Drain pending outbox rows into the boards and rebuild boards that are
 * missing or were asked for; safe on several servers at once. Called from
 * the background thread (app/background.c) about five times a second. */
void lb_drain(db_t *db, kv_t *kv);

/* For the submits of a group (engines/quiz/group.h), before their commit
 * (the rank goes into the stored replies): one apply script call with the
 * entries of contest_id among those quiz_submit_group_entries returned
 * (the outbox rows the group wrote, as board_outbox_entries gives them:
 * schema/310), which then reads the national rank of each of
 * users[0..n-1] into ranks[i] (1 = first), or -1 when it cannot be known
 * now. */
void lb_ranks_after_submits(req_t *r, long long contest_id, const db_res_t *entries, const long long *users,
                            size_t n, long long *ranks);

/* Ask for a rebuild of a contest's boards (by any server's background
 * thread): after changes that do not go through the outbox, such as a
 * rescore that lowers scores, a unit merge or a unit's new region.
 * Returns 0, or -1 when Redis is down. */
int lb_request_rebuild(kv_t *kv, long long contest_id);
/* Forget every board page this process keeps (cache.c), for a change that
 * reaches the boards outside the outbox: an erased person's name. Other
 * processes show it within board_cache_ms. */
void lb_pages_forget(void);

/* For GET /me and GET /units/{id}, one read each: a person's place on the
 * contest's national board, or a unit's on the national unit board by
 * score. Return ST_OK with the fields set, ST_NOT_FOUND when not on the
 * board (no score yet), ST_STORE when the boards cannot be read now (show
 * rank null). */
int lb_user_rank(req_t *r, long long contest_id, long long user_id, long long *rank, long long *score) __attribute__((warn_unused_result));

typedef struct {
    long long rank, score, participants, staff_participants, headcount;
} lb_unit_place_t;
int lb_unit_place(req_t *r, long long contest_id, long long unit_id, lb_unit_place_t *out) __attribute__((warn_unused_result));

/* "{c<id>}": the Redis hash tag of a contest's keys, for a cache kept
 * beside its boards (handlers/stats.c). */
void lb_tag(long long contest_id, char out[32]);

/* ---- reads (read.c): the boards' pages for handlers/leaderboards.c ---- */

enum { LB_PEOPLE, LB_UNITS, LB_REGIONS };

/* One page asked for. The handler has checked every field. */
typedef struct {
    int kind;              /* LB_PEOPLE, LB_UNITS or LB_REGIONS */
    int level;             /* people 0..4, units 0..2 (rules_board_scope_parse); regions 1..3 */
    char arg[24];          /* people, units: the scope's argument ("" national); regions: the
                            * parent's code ("" none) */
    int plevel;            /* regions: the parent's level (1 province, 2 city), 0 for none */
    int by_rate;           /* units, regions: order=participation */
    long long offset, limit;
    long long me;          /* people: the caller's user id, 0 for none */
} lb_query_t;

typedef struct {
    const char *entries;   /* JSON text of the entries array (the request's arena) */
    size_t entries_len;
    uint64_t entries_hash; /* fnv64 (lib/fnv.h) of the entries' text */
    long long total;       /* people, units: the board's size */
    long long me_rank;     /* people: the caller's place (1 = first), 0 when not on the board */
    long long me_score;
} lb_page_t;

/* Read one page. Returns ST_OK; ST_NOT_FOUND for no such contest; ST_STORE
 * when the boards cannot be read now (Redis down, or missing until the
 * background has rebuilt them: answer 503 boards_unavailable).
 *
 * rider (or NULL): Redis commands of the caller's, at most 4, run in the
 * same round trip as the page's live part when the page is a kept one
 * (the common case), else in a round trip of their own before the page is
 * read; either way they have run (replies NULL when Redis did not answer)
 * when this returns. */
status_t lb_read(req_t *r, long long contest_id, const lb_query_t *q, kv_batch_t *rider, lb_page_t *out)
    __attribute__((warn_unused_result));

/* lb_read's common case in two halves around a Redis round trip that the
 * caller makes, maybe with other requests' (server/defer.h).
 * lb_read_kept: 1 when q's page is a kept one: its live reads (the
 * version, the board's size, the place of q->me) are added to b and
 * *kept holds what lb_read_kept_end needs, the page's text in r's arena;
 * 0 when it is not kept, or b is too full (nothing added: read the page
 * with lb_read). lb_read_kept_end, once b ran (on the same or another
 * thread, kept copied with its text): the page, as lb_read returns it;
 * ST_NOT_FOUND when the live version moved on meanwhile (read the page
 * with lb_read). */
typedef struct {
    long long version;        /* the live version the page was read from */
    int i_ver, i_card, i_rank, i_score;   /* b's commands (-1: none) */
    const char *text;         /* the page's entries */
    size_t len;
    uint64_t hash;
} lb_kept_t;
int lb_read_kept(req_t *r, long long contest_id, const lb_query_t *q, kv_batch_t *b, lb_kept_t *kept);
status_t lb_read_kept_end(const lb_query_t *q, const kv_batch_t *b, const lb_kept_t *kept, lb_page_t *out)
    __attribute__((warn_unused_result));

/* The last rebuild's progress (the {c}:progress hash): vals[i] is the
 * value of lb_progress_fields[i] or NULL; *queued: a rebuild is asked
 * for. Returns ST_OK or ST_STORE. */
#define LB_PROGRESS_NFIELDS 9
extern const char *const lb_progress_fields[LB_PROGRESS_NFIELDS];
status_t lb_rebuild_progress(kv_t *kv, arena_t *a, long long contest_id,
                             const char *vals[LB_PROGRESS_NFIELDS], int *queued)
    __attribute__((warn_unused_result));

/* quizd subcommands */
int cmd_rebuild_boards(int argc, char **argv);
int cmd_check_boards(int argc, char **argv);

#endif
