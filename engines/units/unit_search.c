/* unit_search.c: see unit_search.h. */
#include "engines/units/units.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "engines/units/regions.h"
#include "engines/units/cache.h"
#include "server/kv_cache.h"
#include "rules/search_text.h"

#include <string.h>

/* Folded names hold at most 100 code points of at most 4 bytes. */
#define FOLD_SIZE 401

/* Every bigram of the unit's name_fold, computed by MariaDB from the
 * stored column so the bulk generator (units-generate) and this code
 * cannot disagree: SUBSTRING counts code points, as rules_search_grams
 * does. seq_1_to_100 is MariaDB's Sequence engine. */
#define INSERT_GRAMS \
    "INSERT IGNORE INTO unit_ngrams (gram, unit_id)" \
    " SELECT DISTINCT SUBSTRING(u.name_fold, s.seq, 2), u.id FROM units u" \
    " JOIN seq_1_to_100 s ON s.seq < CHAR_LENGTH(u.name_fold) WHERE u.id = ?"

int unit_search_index(db_t *db, long long unit_id, const char *name)
{
    char fold[FOLD_SIZE];
    if (rules_search_fold(name, fold, sizeof fold) < 0)
        fold[0] = '\0';
    if (db_exec(db, "UPDATE units SET name_fold = ?, search_indexed = 1 WHERE id = ?", "si", fold,
                unit_id) < 0 ||
        db_exec(db, "DELETE FROM unit_ngrams WHERE unit_id = ?", "i", unit_id) < 0 ||
        db_exec(db, INSERT_GRAMS, "i", unit_id) < 0)
        return -1;
    return 0;
}

void unit_search_backfill(db_t *db)
{
    arena_t a;
    arena_init(&a);
    db_res_t *res = db_query(db, &a, "SELECT id, name FROM units WHERE search_indexed = 0"
                                     " ORDER BY id LIMIT 200", "");
    for (size_t i = 0; res && i < res->nrows; i++) {
        long long id = db_int(res, i, 0);
        const char *name = db_get(res, i, 1);
        char fold[FOLD_SIZE];
        if (rules_search_fold(name, fold, sizeof fold) < 0)
            fold[0] = '\0';
        if (db_begin(db) < 0)
            break;
        /* Only if the name is still the one read: a rename in between sets
         * search_indexed back to 0 and the next round takes it. */
        long long n = db_exec(db, "UPDATE units SET name_fold = ?, search_indexed = 1"
                                  " WHERE id = ? AND name = ? AND search_indexed = 0",
                              "sis", fold, id, name);
        if (n < 0 || (n > 0 && (db_exec(db, "DELETE FROM unit_ngrams WHERE unit_id = ?", "i", id) < 0 ||
                                db_exec(db, INSERT_GRAMS, "i", id) < 0))) {
            db_rollback(db);
            log_warn("unit search: indexing unit %lld failed (db %d)", id, db_errno(db));
            break;
        }
        if (db_commit(db) < 0)
            log_warn("unit search: indexing unit %lld not committed (db %d)", id, db_errno(db));
        else if (n > 0)
            units_changed();
    }
    arena_free(&a);
}

/* ---- GET /units ---------------------------------------------------------- */

/* Live units in an optional region: each pair is (code or '', code). The
 * empty code makes its test true; MariaDB evaluates parameters before it
 * plans each execution, so the region index still serves the browse. */
#define FILTER \
    " AND u.disabled = 0 AND u.merged_into IS NULL" \
    " AND (? = '' OR u.province_code = ?) AND (? = '' OR u.city_code = ?)" \
    " AND (? = '' OR u.county_code = ?)"
#define FILTER_T "ssssss"
#define FILTER_ARGS(f) (f)->province, (f)->province, (f)->city, (f)->city, (f)->county, (f)->county

/* a name an organizer rejected shows as 待审核 until it is corrected */
#define COLS "u.id, IF(u.name_state = 'rejected', '\xe5\xbe\x85\xe5\xae\xa1\xe6\xa0\xb8', u.name), u.region_code, u.type, rr.name, p.name, c.name, k.name"
#define JOINS \
    " JOIN regions rr ON rr.code = u.region_code" \
    " LEFT JOIN regions p ON p.code = u.province_code" \
    " LEFT JOIN regions c ON c.code = u.city_code" \
    " LEFT JOIN regions k ON k.code = u.county_code"

/* The keyword's distinct bigrams (1..4), each joined on the primary key
 * (gram, unit_id): one statement per count, so a two-character keyword
 * pays for one lookup a row, not four. The WHERE always takes four gram
 * parameters; the unused ones meet "? IS NOT NULL", which the planner
 * evaluates once. */
#define J2 " JOIN unit_ngrams g2 ON g2.unit_id = g1.unit_id"
#define J3 J2 " JOIN unit_ngrams g3 ON g3.unit_id = g1.unit_id"
#define J4 J3 " JOIN unit_ngrams g4 ON g4.unit_id = g1.unit_id"
#define W1 " WHERE g1.gram = ? AND ? IS NOT NULL AND ? IS NOT NULL AND ? IS NOT NULL"
#define W2 " WHERE g1.gram = ? AND g2.gram = ? AND ? IS NOT NULL AND ? IS NOT NULL"
#define W3 " WHERE g1.gram = ? AND g2.gram = ? AND g3.gram = ? AND ? IS NOT NULL"
#define W4 " WHERE g1.gram = ? AND g2.gram = ? AND g3.gram = ? AND g4.gram = ?"
#define GFROM(j) " FROM unit_ngrams g1" j " JOIN units u ON u.id = g1.unit_id"
/* A match that is not a prefix: those come from the name index. */
#define TAIL " AND LOCATE(?, u.name_fold) > 1"
#define HEAD_WHERE " WHERE u.name_fold >= ? AND u.name_fold < ?"

/* At most this many matches are counted, and pages end there: a search
 * box is asked on every keystroke, and counting the 25,000 names that hold
 * "水利" would cost each of those requests a hundred milliseconds. Beyond
 * it, total says SEARCH_CAP and total_capped says that more exist; people
 * refine the keyword long before they page that far. */
#define SEARCH_CAP 1000
#define UNITS_COUNT_CACHE_S 5
#define CAPPED(sql) "SELECT COUNT(*) FROM (SELECT 1" sql " LIMIT ?) t"

/* Both counts in one round trip: names starting with the keyword, and
 * the other matches. */
#define COUNTS(j, w) \
    "SELECT (" CAPPED(" FROM units u" HEAD_WHERE FILTER) ")," \
    " (" CAPPED(GFROM(j) w TAIL FILTER) ")"
static const char *const counts_sql[RULES_SEARCH_GRAMS] = {
    COUNTS("", W1), COUNTS(J2, W2), COUNTS(J3, W3), COUNTS(J4, W4),
};
#define TAIL_ROWS(j, w) "SELECT " COLS GFROM(j) JOINS w TAIL FILTER " ORDER BY g1.unit_id LIMIT ?, ?"
static const char *const tail_rows_sql[RULES_SEARCH_GRAMS] = {
    TAIL_ROWS("", W1), TAIL_ROWS(J2, W2), TAIL_ROWS(J3, W3), TAIL_ROWS(J4, W4),
};

static int append_rows(req_t *r, json_t *list, const db_res_t *res)
{
    for (size_t i = 0; res && i < res->nrows; i++) {
        json_t *u = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)db_int(res, i, 0),
                              "name", db_get(res, i, 1), "region_code", db_get(res, i, 2),
                              "type", db_get(res, i, 3), "region_name", db_get(res, i, 4),
                              "region_full_name",
                              region_full_name(r, db_get(res, i, 5), db_get(res, i, 6),
                                               db_get(res, i, 7)));
        json_array_append_new(list, u);
    }
    return 0;
}

static int browse(req_t *r, const unit_filter_t *f, long long limit, long long offset, json_t *list,
                  long long *total)
{
    db_t *db = req_db(r);
    /* The count of every unit is kept a few seconds (kv_cache.h):
     * browsing asks it on every page, and it reads the whole table; a
     * region's count reads only the region's index range. */
    const char *ckey = f->province[0] ? NULL : UNITS_COUNT_KEY;
    if (!ckey || !kv_cache_get_ints(req_kv(r), r->arena, ckey, total, 1)) {
        db_res_t *cnt = db_query(db, r->arena, "SELECT COUNT(*) FROM units u WHERE 1 = 1" FILTER,
                                 FILTER_T, FILTER_ARGS(f));
        if (!cnt)
            return -1;
        *total = db_int(cnt, 0, 0);
        if (ckey)
            kv_cache_put_ints(req_kv(r), r->arena, ckey, total, 1, UNITS_COUNT_CACHE_S);
    }
    db_res_t *rows = db_query(db, r->arena,
                                    "SELECT " COLS " FROM units u" JOINS " WHERE 1 = 1" FILTER
                                    " ORDER BY u.id LIMIT ?, ?",
                                    FILTER_T "ii", FILTER_ARGS(f), offset, limit);
    if (!rows)
        return -1;
    return append_rows(r, list, rows);
}

/* The match counts of a keyword beyond the cap are kept longer than pages
 * (cache.h): counting reads 1,001 matches where the page reads only its
 * rows, and one unit more or less leaves such a total at 1000 with
 * total_capped (only the split between names starting with the keyword
 * and the rest may be one off for later pages, until the count expires).
 * Counts below the cap are read with each page, so a unit registered
 * through another process shows as soon as the page expires. */
static const char *count_key(req_t *r, char kind, const char *kw, const unit_filter_t *f)
{
    return arena_sprintf(r->arena, "%c|%s|%s|%s|%s", kind, kw, f->province, f->city, f->county);
}

static int search_count(req_t *r, char kind, const char *kw, const unit_filter_t *f,
                        long long *v, int n)
{
    return unit_count_cache_get(r, count_key(r, kind, kw, f), v, n);
}

static void search_count_put(req_t *r, char kind, const char *kw, const unit_filter_t *f,
                             const long long *v, int n, uint64_t gen)
{
    unit_count_cache_put(count_key(r, kind, kw, f), v, n, gen);
}

/* Inside a region the region's own index is the better path: its range
 * holds every unit of the region with its name_fold, so LOCATE runs on
 * index entries only, and the cost is the region's size (a few thousand
 * entries for a province at 100,000 units) whatever the keyword. Driving
 * from a common bigram instead would look up thousands of units only to
 * drop those of other regions. The order is the same as below: exact,
 * prefix (shorter first), then the rest by id. */
#define IN_REGION " FROM units u FORCE INDEX (k_units_region)"
#define IN_REGION_WHERE " WHERE LOCATE(?, u.name_fold) > 0"
#define GROUP "CASE WHEN u.name_fold = ? THEN 0 WHEN LOCATE(?, u.name_fold) = 1 THEN 1 ELSE 2 END"

static int search_in_region(req_t *r, const char *kw, const unit_filter_t *f, long long limit,
                            long long offset, json_t *list, long long *total, int *capped)
{
    db_t *db = req_db(r);
    long long n;
    if (!search_count(r, 'r', kw, f, &n, 1)) {
        uint64_t gen = unit_page_cache_gen();
        db_res_t *c = db_query(db, r->arena, CAPPED(IN_REGION IN_REGION_WHERE FILTER),
                               "s" FILTER_T "i", kw, FILTER_ARGS(f), (long long)SEARCH_CAP + 1);
        if (!c)
            return -1;
        n = db_int(c, 0, 0);
        if (n > SEARCH_CAP)
            search_count_put(r, 'r', kw, f, &n, 1, gen);
    }
    *capped = n > SEARCH_CAP;
    *total = *capped ? SEARCH_CAP : n;
    if (offset >= *total)
        return 0;
    long long want = limit < *total - offset ? limit : *total - offset;
    db_res_t *rows = db_query(db, r->arena,
                              "SELECT " COLS IN_REGION JOINS IN_REGION_WHERE FILTER
                              " ORDER BY " GROUP ", IF(" GROUP " < 2, CHAR_LENGTH(u.name_fold), 0),"
                              " u.id LIMIT ?, ?",
                              "s" FILTER_T "ssssii", kw, FILTER_ARGS(f), kw, kw, kw, kw, offset, want);
    if (!rows)
        return -1;
    return append_rows(r, list, rows);
}

static int search(req_t *r, const char *kw, const unit_filter_t *f, long long limit, long long offset,
                  json_t *list, long long *total, int *capped)
{
    if (f->province[0])
        return search_in_region(r, kw, f, limit, offset, list, total, capped);
    db_t *db = req_db(r);
    char g[RULES_SEARCH_GRAMS][RULES_GRAM_SIZE];
    int ng = rules_search_grams(kw, g);
    if (ng < 1)
        return 0;
    for (int i = ng; i < RULES_SEARCH_GRAMS; i++)
        memcpy(g[i], g[0], sizeof g[0]);   /* fills "? IS NOT NULL" */
    /* Names starting with kw sort between kw and kw + U+10FFFF. */
    const char *hi = arena_sprintf(r->arena, "%s\xf4\x8f\xbf\xbf", kw);

    long long nn[2];
    if (!search_count(r, 'n', kw, f, nn, 2)) {
        uint64_t gen = unit_page_cache_gen();
        db_res_t *cnt = db_query(db, r->arena, counts_sql[ng - 1],
                                 "ss" FILTER_T "i" "sssss" FILTER_T "i",
                                 kw, hi, FILTER_ARGS(f), (long long)SEARCH_CAP + 1,
                                 g[0], g[1], g[2], g[3], kw, FILTER_ARGS(f), (long long)SEARCH_CAP + 1);
        if (!cnt)
            return -1;
        nn[0] = db_int(cnt, 0, 0);
        nn[1] = db_int(cnt, 0, 1);
        if (nn[0] + nn[1] > SEARCH_CAP)
            search_count_put(r, 'n', kw, f, nn, 2, gen);
    }
    long long nhead = nn[0], ntail = nn[1];
    *capped = nhead + ntail > SEARCH_CAP;
    *total = *capped ? SEARCH_CAP : nhead + ntail;
    if (offset >= *total)
        return 0;
    long long want = limit < *total - offset ? limit : *total - offset;
    if (offset < nhead) {
        db_res_t *rows = db_query(db, r->arena,
                                  "SELECT " COLS " FROM units u" JOINS HEAD_WHERE FILTER
                                  " ORDER BY u.name_fold = ? DESC, CHAR_LENGTH(u.name_fold), u.id"
                                  " LIMIT ?, ?",
                                  "ss" FILTER_T "sii", kw, hi, FILTER_ARGS(f), kw, offset, want);
        if (!rows)
            return -1;
        append_rows(r, list, rows);
        want -= (long long)rows->nrows;
        offset = 0;
    } else {
        offset -= nhead;
    }
    if (want > 0) {
        db_res_t *rows = db_query(db, r->arena, tail_rows_sql[ng - 1],
                                  "sssss" FILTER_T "ii", g[0], g[1], g[2], g[3], kw,
                                  FILTER_ARGS(f), offset, want);
        if (!rows)
            return -1;
        append_rows(r, list, rows);
    }
    return 0;
}

/* The page's text from its parts. ST_OK, or ST_ERR when out of memory. */
static status_t page_text(req_t *r, json_t *units, long long total, int capped, unit_page_t *out)
{
    json_t *j = arena_json(r->arena, json_pack("{s:O,s:I,s:b}", "units", units, "total",
                                               (json_int_t)total, "total_capped", capped));
    out->body = j ? arena_json_text(r->arena, j) : NULL;
    if (!out->body)
        return ST_ERR;
    out->len = strlen(out->body);
    return ST_OK;
}

status_t unit_filter_for_region(req_t *r, const char *code, unit_filter_t *f)
{
    memset(f, 0, sizeof *f);
    if (!code || !*code)
        return ST_OK;
    region_t reg;
    int rc = region_find(r, code, &reg);
    if (rc != ST_OK)
        return rc;
    /* the region and its parents: k_units_region is (province, city,
     * county, ...), so every level uses its prefix */
    memcpy(f->province, reg.province, 7);
    memcpy(f->city, reg.city, 7);
    memcpy(f->county, reg.county, 7);
    return ST_OK;
}

status_t units_browse(req_t *r, const unit_filter_t *f, long long limit, long long offset,
                      unit_page_t *out)
{
    if (unit_page_cache_get(r, 'b', NULL, f, limit, offset, out))
        return ST_OK;
    uint64_t gen = unit_page_cache_gen();      /* before the read: lib/ttl_cache.h */
    json_t *units = arena_json(r->arena, json_array());
    long long total = 0;
    if (browse(r, f, limit, offset, units, &total) < 0)
        return ST_STORE;
    status_t st = page_text(r, units, total, 0, out);
    if (st == ST_OK)
        unit_page_cache_put(r, 'b', NULL, f, limit, offset, out, gen);
    return st;
}

status_t units_search(req_t *r, const char *kw, const unit_filter_t *f, long long limit,
                      long long offset, unit_page_t *out)
{
    if (unit_page_cache_get(r, 's', kw, f, limit, offset, out))
        return ST_OK;
    uint64_t gen = unit_page_cache_gen();
    json_t *units = arena_json(r->arena, json_array());
    long long total = 0;
    int capped = 0;
    if (search(r, kw, f, limit, offset, units, &total, &capped) < 0)
        return ST_STORE;
    status_t st = page_text(r, units, total, capped, out);
    if (st == ST_OK)
        unit_page_cache_put(r, 's', kw, f, limit, offset, out, gen);
    return st;
}
