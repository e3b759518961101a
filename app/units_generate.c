/* units_generate.c: `quizd units-generate N [SEED]` — N synthetic units
 * with realistic names (county + place + kind of unit), valid and unique
 * credit codes, and their search bigrams, for `make bench` (search latency
 * at 100,000 units) and demos. Bulk SQL: a thousand rows a statement, then
 * the bigrams of the new id range with one INSERT ... SELECT per batch,
 * using the same SUBSTRING rule as unit_search.c. Every text comes from
 * the regions table and the word lists below, never from outside input. */
#include "handlers/units.h"
#include "handlers/handlers.h"
#include "rules/credit_code.h"
#include "rules/search_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const places[] = {
    "", "", "", "", "城关", "东关", "新华", "红旗", "长江", "黄河", "清河", "永安", "太平",
    "和平", "胜利", "前进", "东风", "向阳", "石门", "白马", "青山", "龙泉", "金沙", "杨柳",
    "桃园", "双龙", "三岔", "五里", "七星", "九龙", "北关", "南关", "西关", "柳林", "杏花",
    "梨园", "大河", "小河", "沙河", "滨河", "汾河", "漳河", "沁河", "洛河", "渭河", "湘江",
};
static const char *const admin_kinds[] = {
    "水利局", "水务局", "水利站", "水利工作站", "河长制办公室", "水旱灾害防御中心",
    "水土保持站", "水政监察大队", "农村饮水安全管理站", "水资源管理办公室",
};
static const char *const enterprise_kinds[] = {
    "水务集团有限公司", "供水有限公司", "水利工程有限公司", "自来水公司", "污水处理有限公司",
    "水电开发有限公司", "水利建筑工程有限公司", "水库管理处", "灌区管理局", "河道管理所",
    "堤防管理段", "泵站管理所", "水文站",
};
static const char *const other_kinds[] = {
    "水利勘测设计院", "水利技工学校", "水利职业技术学院", "应急管理局", "自然资源局",
    "农业农村局", "第一中学", "供电公司", "建筑工程有限公司",
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf_t;

static void sb_add(sbuf_t *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->buf = realloc(b->buf, b->cap);
        if (!b->buf)
            abort();
    }
    memcpy(b->buf + b->len, s, n + 1);
    b->len += n;
}

/* A credit code: registration authority and kind, the county, a serial of
 * nine characters in base 31, and the check character found by trying
 * the 31 candidates against the rule's own check. */
static int make_credit(const char *prefix, const char *county, uint64_t serial, char out[19])
{
    static const char cs[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char c[19];
    memcpy(c, prefix, 2);
    memcpy(c + 2, county, 6);
    for (int i = 16; i >= 8; i--) {
        c[i] = cs[serial % 31];
        serial /= 31;
    }
    c[18] = '\0';
    for (int k = 0; k < 31; k++) {
        c[17] = cs[k];
        if (rules_credit_code_normalize(c, out) == 0)
            return 0;
    }
    return -1;
}

/* Text from our own tables and lists may still not hold a quote. */
static int sql_safe(const char *s)
{
    return !strpbrk(s, "'\\");
}

/* One random unit of a random county of reg as a VALUES tuple into row
 * (a leading comma unless first). Returns 0, or -1 when the drawn name or
 * code cannot be used (the caller draws again next time). */
static int unit_row(const db_res_t *reg, uint64_t *serial, long long now, int first, char row[1400])
{
    size_t k = (size_t)(rnd() % reg->nrows);
    const char *code = db_get(reg, k, 0), *county = db_get(reg, k, 1);
    const char *city = db_get(reg, k, 4), *province = db_get(reg, k, 5);
    int t = (int)(rnd() % 100);
    const char *type = t < 50 ? "water_admin" : t < 85 ? "water_enterprise" : "other";
    const char *kind = t < 50 ? admin_kinds[rnd() % N_OF(admin_kinds)]
                     : t < 85 ? enterprise_kinds[rnd() % N_OF(enterprise_kinds)]
                              : other_kinds[rnd() % N_OF(other_kinds)];
    const char *place = places[rnd() % N_OF(places)];
    /* "长治市上党区城关水利站"; a municipality's or placeholder city is left out */
    int with_city = city[0] && strncmp(city, province, strlen(province)) != 0 &&
                    !strstr(city, "直辖");
    char name[400], fold[401], credit[19];
    snprintf(name, sizeof name, "%s%s%s%s", with_city ? city : "", county, place, kind);
    if (rules_search_fold(name, fold, sizeof fold) < 0 || !sql_safe(name) ||
        make_credit(t < 50 ? "11" : t < 85 ? "91" : "52", code, (*serial)++, credit) < 0)
        return -1;
    snprintf(row, 1400, "%s('%s','%s','%s','%s','%s','%s','%s','%s',%d,'',%lld,1)",
             first ? "" : ",", name, fold, credit, code, db_get(reg, k, 2), db_get(reg, k, 3),
             code, type, (int)(5 + rnd() % 500), now);
    return 0;
}

/* The search bigrams of units first_id..last_id, 10000 at a time.
 * Returns 0, or -1 (reported). */
static int index_bigrams(db_t *db, long long first_id, long long last_id)
{
    for (long long lo = first_id; lo <= last_id; lo += 10000) {
        if (db_exec(db, "INSERT IGNORE INTO unit_ngrams (gram, unit_id)"
                        " SELECT DISTINCT SUBSTRING(u.name_fold, s.seq, 2), u.id FROM units u"
                        " JOIN seq_1_to_100 s ON s.seq < CHAR_LENGTH(u.name_fold)"
                        " WHERE u.id BETWEEN ? AND ?", "ii", lo, lo + 9999) < 0) {
            fprintf(stderr, "units-generate: indexing failed (%s)\n", db_error(db));
            return -1;
        }
        fprintf(stderr, "bigrams: units %lld-%lld\n", lo, lo + 9999 < last_id ? lo + 9999 : last_id);
    }
    return 0;
}

int cmd_units_generate(int argc, char **argv)
{
    long long n = argc > 1 ? atoll(argv[1]) : 0;
    if (n < 1 || n > 5000000) {
        fprintf(stderr, "usage: quizd units-generate N [SEED]   (1 <= N <= 5000000)\n");
        return 2;
    }
    rng_state = argc > 2 ? (uint64_t)atoll(argv[2]) * 2654435761u + 1 : 88172645463325252ull;
    db_t *db = db_new();
    arena_t a;
    arena_init(&a);
    int rc = 1;
    db_res_t *reg = db_query(db, &a,
        "SELECT r.code, r.name, r.province_code, IFNULL(r.city_code, ''), IFNULL(c.name, ''),"
        " p.name FROM regions r JOIN regions p ON p.code = r.province_code"
        " LEFT JOIN regions c ON c.code = r.city_code WHERE r.level = 3 ORDER BY r.code", "");
    db_res_t *mx = reg ? db_query(db, &a, "SELECT IFNULL(MAX(id), 0) FROM units", "") : NULL;
    if (!mx || !reg->nrows) {
        fprintf(stderr, "units-generate: cannot read regions (%s)\n", db_error(db));
        goto out;
    }
    long long first_id = db_int(mx, 0, 0) + 1, now = clock_now_s();
    /* serials start at a random point so two runs rarely collide (and
     * INSERT IGNORE skips the rare collision) */
    uint64_t serial = rnd() % 400000000000000ull;
    sbuf_t sql = { 0 };
    long long done = 0;
    while (done < n) {
        sql.len = 0;
        sb_add(&sql, "INSERT IGNORE INTO units (name, name_fold, credit_code, region_code,"
                     " province_code, city_code, county_code, type, headcount, contact_name,"
                     " created_at, search_indexed) VALUES ");
        long long batch = n - done < 1000 ? n - done : 1000, rows = 0;
        for (long long i = 0; i < batch; i++) {
            char row[1400];
            if (unit_row(reg, &serial, now, rows == 0, row) == 0) {
                sb_add(&sql, row);
                rows++;
            }
        }
        if (rows && db_exec_script(db, sql.buf) < 0) {
            fprintf(stderr, "units-generate: insert failed (%s)\n", db_error(db));
            free(sql.buf);
            goto out;
        }
        done += batch;
        if (done % 20000 == 0 || done == n)
            fprintf(stderr, "units: %lld/%lld\n", done, n);
    }
    free(sql.buf);
    mx = db_query(db, &a, "SELECT IFNULL(MAX(id), 0) FROM units", "");
    long long last_id = mx ? db_int(mx, 0, 0) : 0;
    if (index_bigrams(db, first_id, last_id) < 0)
        goto out;
    /* fresh statistics, so the planner sees which bigrams are rare */
    if (db_exec_script(db, "ANALYZE TABLE units, unit_ngrams") < 0)
        fprintf(stderr, "units-generate: ANALYZE failed (%s)\n", db_error(db));
    printf("%lld units generated (ids %lld-%lld)\n", last_id - first_id + 1, first_id, last_id);
    rc = 0;
out:
    arena_free(&a);
    db_free(db);
    return rc;
}
