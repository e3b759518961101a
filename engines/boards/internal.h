/* internal.h: what the files of engines/boards/ share (not for other folders).
 *
 * Redis keys. Every key of one contest carries the hash tag {c<id>}, so
 * they all live in one Redis Cluster slot and the Lua scripts, which
 * derive keys from the one they are given, run unchanged on a cluster:
 *
 *   {c7}:ver        the live version V: readers and the apply script use
 *                   the keys under {c7}:vV:. Absent = the boards are
 *                   missing (Redis restarted empty): the background rebuilds.
 *   {c7}:building   "W token" while version W is being built (with a TTL the
 *                   builder keeps refreshing): applies are also journaled
 *                   into {c7}:vW:jn and replayed onto W before the swap.
 *   {c7}:seq        version numbers (INCR)
 *   {c7}:want       set by POST /admin/boards/rebuild: rebuild soon
 *   {c7}:progress   hash: state, done, total, version, times of the last rebuild
 *   {c7}:stats:*    GET /admin/stats, cached for a few seconds
 *
 * Under {c7}:vV: (P below):
 *   P p:n, p:p:<prov>, p:c:<city>, p:x:<county>, p:u:<unit>
 *            people (member user id, score rules_rank_key); the region is
 *            the person's own, the unit is profiles.board_unit_id
 *   P nm     hash user id -> "<unit id>\x1f<masked name>"  (the name cache)
 *   P u:<id> hash n name, s total, p participants, f staff participants,
 *            h headcount, pp/pc/px the unit's region codes
 *   P us:n, us:p:<prov>, us:c:<city>   units by score (rules_unit_score_key)
 *   P ur:n, ur:p:<prov>, ur:c:<city>   units by participation (rules_unit_rate_key),
 *            verified units only (API.md Rules)
 *   P rs     hash "<code>:s" total, "<code>:p" participants, per region
 *   P rn     hash region code -> name
 *   P r:p, r:c, r:c:<prov>, r:x, r:x:<city>, r:xp:<prov>
 *            regions (member code, score rules_region_key) by the unit's region
 *   P ap     bitmap of applied attempt ids (those below 2^28)
 *   P jn     the journal of a version being built
 *
 * A unit, and its regions, appear on the boards once one of its members
 * has submitted an attempt (participants >= 1). */
#ifndef BOARDS_INT_H
#define BOARDS_INT_H

#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

#include "server/arena.h"
#include "server/db.h"
#include "server/kv.h"

/* ---- the scripts (lua.c) ---- */

/* Fields of one entry, in the order the apply script reads them. */
enum {
    LB_F_ATTEMPT, LB_F_USER, LB_F_KEY, LB_F_PP, LB_F_PC, LB_F_PX, LB_F_UNIT, LB_F_STAFF,
    LB_F_NAME, LB_F_UNIT_NAME, LB_F_UPP, LB_F_UPC, LB_F_UPX, LB_F_HEAD, LB_F_VERIFIED,
    LB_NF
};

typedef struct {
    const char *f[LB_NF];
} lb_entry_t;

enum { LB_SCRIPT_APPLY, LB_SCRIPT_READ };

/* Run a script on the contest's keys: EVALSHA of its SHA-1, and EVAL (which
 * also loads it) when Redis answers NOSCRIPT, as after a restart. args are
 * the script's ARGV. Returns the reply (freed with a; a Redis error reply is
 * returned as such) or NULL when Redis is unreachable. */
redisReply *lb_eval(kv_t *kv, arena_t *a, int script, long long contest_id,
                    int nargs, const char *const *args);

/* ---- outbox entries (apply.c) ---- */

/* Outbox rows as entries: the view board_outbox_entries
 * (schema/310_submit_group_entries.sql) says how, for this and for the
 * rows quiz_submit_group_entries returns; a query appends its WHERE on o. Column
 * k of the view is column k of an entry: 16 is board_outbox.id, 17 its
 * contest_id, 18 the person's name_review, 19 the unit's name_state, 20
 * units.verified, 21 applied_at. */
#define LB_ENTRY_SELECT "SELECT * FROM board_outbox_entries o "
#define LB_ENTRY_CONTEST 17

void lb_entry_from_row(arena_t *a, const db_res_t *res, size_t row, lb_entry_t *e);

/* Apply entries (all of contest_id), and then read the national rank of
 * each of users[0..nusers-1] (1 = first) into ranks[i], or -1, in the same
 * script call (nusers may be 0). Returns 1 applied (to the live boards,
 * and journaled if a rebuild runs), 2 journaled only (a first build is
 * running), 0 no boards at all (nothing done), -1 Redis unreachable or
 * failed; the ranks are read only on 1. */
int lb_apply(kv_t *kv, arena_t *a, long long contest_id, const lb_entry_t *e, size_t n,
             const long long *users, size_t nusers, long long *ranks);

/* What a rejected name (an organizer refused it after WeChat's content
 * check) shows on the boards until its owner corrects it. */
#define LB_NAME_HIDDEN "\xe5\xbe\x85\xe5\xae\xa1\xe6\xa0\xb8"   /* 待审核 */

/* ---- the model: the boards as MariaDB says they should be (model.c) ---- */

typedef struct {
    long long uid;
    double key;
    int unit;               /* index into units, -1 for none */
    char staff;
    char pp[7], pc[7], px[7];
    char masked[64];
} lb_person_t;

typedef struct {
    long long id, head;
    int verified;
    char *name;
    char pp[7], pc[7], px[7];
    long long total, parts, staff;   /* of the people on the boards */
} lb_unit_t;

typedef struct {
    char code[7];
    char *name;
} lb_region_t;

typedef struct {
    long long contest_id, epoch;
    lb_person_t *p;
    size_t np;
    lb_unit_t *u;
    size_t nu;
    lb_region_t *r;
    size_t nr;
    int streamed;           /* the people went to a callback, p is empty */
} lb_model_t;

typedef void (*lb_progress_fn)(void *ud, const char *phase, size_t done, size_t total);

/* Called for each person as MariaDB sends them (units and regions are
 * loaded by then); returns 0, or a negative value that stops the read. */
typedef int (*lb_person_fn)(void *ud, const lb_model_t *m, const lb_person_t *p);

/* Read the contest's people, units and regions. With each, the people are
 * handed to it one by one and not kept (m->np counts them, m->streamed is
 * set): lb_model_emit then emits only the unit and region boards. Returns
 * 0, -1 on a MariaDB error or when each stopped the read, -2 for no such
 * contest. */
int lb_model_load(db_t *db, long long contest_id, lb_model_t *m, lb_progress_fn progress, void *ud,
                  lb_person_fn each, void *each_ud);
void lb_model_free(lb_model_t *m);

/* Where the model's boards go: Redis (the rebuild) or a comparison with
 * Redis (the check). From lb_model_emit each board comes whole, exactly
 * once; from lb_people_add in parts, the first with first = 1. */
typedef struct lb_sink lb_sink_t;
struct lb_sink {
    int (*zset)(lb_sink_t *s, const char *key, int first, size_t n, const char *const *members,
                const double *scores);
    int (*hash)(lb_sink_t *s, const char *key, size_t n, const char *const *fields,
                const char *const *values);
};

/* Emit every board of the model under prefix ("{c7}:v3:") (of a streamed
 * model, all but the people boards and the name cache, which
 * lb_people_add wrote). Returns 0, or the first negative value a sink call
 * returned. */
int lb_model_emit(const lb_model_t *m, const char *prefix, lb_sink_t *s,
                  lb_progress_fn progress, void *ud);

/* ---- the people boards while MariaDB sends them (people_stream.c) ---- */

/* Buffers per board, each handed to the sink when full: memory bounded by
 * the boards (at most 2,000 people for the national board and the name
 * cache, 64 for each other board, 16 bytes a person), not the people. */
typedef struct lb_people_stream lb_people_stream_t;
lb_people_stream_t *lb_people_stream_new(const char *prefix, lb_sink_t *s);
/* One person onto their boards and the name cache: 0 or the sink's error. */
int lb_people_add(lb_people_stream_t *ps, const lb_model_t *m, const lb_person_t *p);
/* What the buffers still hold, to the sink. */
int lb_people_flush(lb_people_stream_t *ps);
void lb_people_stream_free(lb_people_stream_t *ps);

/* ---- the page cache (cache.c) ---- */

#define LB_CACHE_SLOTS 512               /* pages (and keys) at most */
#define LB_CACHE_BYTES (8u << 20)        /* bytes of page text at most */
#define LB_CACHE_KEY 96                  /* longest key and board name, with the NUL */

typedef struct {
    const char *text;       /* a hit: the page's text, copied into the caller's arena */
    size_t len;
    long long version;      /* the live version it was read from */
    uint64_t hash;          /* the hash handed to lb_cache_put with it */
    unsigned long ticket;   /* hit or miss: hand to lb_cache_put after building it */
} lb_cached_t;

/* Look a page up (key: everything the page depends on; board: the board
 * it shows, for lb_cache_drop). Returns 1 for a page younger than
 * max_age_us, 0 for none (build it, then lb_cache_put it with
 * out->ticket), -1 for a key too long to cache. */
int lb_cache_get(arena_t *a, const char *key, const char *board, long long contest_id, int64_t now_us,
                 int64_t max_age_us, lb_cached_t *out);
/* Keep a page built after lb_cache_get missed; not kept when a drop hit
 * its key since (the page may be older than that apply). */
void lb_cache_put(const char *key, unsigned long ticket, long long version, const char *text, size_t len,
                  uint64_t text_hash, int64_t built_us);
/* Drop the pages of a contest's boards whose names start with
 * board_prefix ("" every board; a prefix may drop a few more, harmlessly). */
void lb_cache_drop(long long contest_id, const char *board_prefix);
/* Pages held, keys known, bytes of text (for tests and metrics). */
void lb_cache_stats(size_t *pages, size_t *keys, size_t *bytes);

/* ---- rebuild (rebuild.c) ---- */

typedef struct {
    lb_progress_fn progress;   /* may be NULL */
    void *ud;
    int wait;                  /* 1: wait for a rebuild that runs elsewhere, then rebuild */
    int if_needed;             /* 1: only if the boards are still missing or asked for once
                                * the lock is ours (another server may just have rebuilt) */
} lb_rebuild_opts_t;

/* Rebuild the boards of a contest into a new version and swap it in.
 * Returns 0 done, 1 another process is rebuilding (and wait was 0),
 * 2 not needed any more (if_needed), -1 Redis or MariaDB failed,
 * -2 no such contest. */
int lb_rebuild(db_t *db, kv_t *kv, long long contest_id, const lb_rebuild_opts_t *o);

/* After a failover: drop the building lock of a contest and its journal,
 * whoever holds it (a build that wrote to the old primary cannot swap in
 * what it wrote; a build that started since loses the lock, fails and is
 * asked for again). Returns 1 when a lock was dropped, 0 when there was
 * none, -1 when Redis failed. */
int lb_break_lock(kv_t *kv, long long contest_id);

/* The live version of a contest's boards: > 0, 0 when missing, -1 when
 * Redis is unreachable. */
long long lb_live_version(kv_t *kv, arena_t *a, long long contest_id);

#endif
