/* seed_demo.c: see seed_demo.h. Writes rows directly, as schema/040_units.sql
 * and schema/030_contests.sql define them; the outbox rows it writes carry
 * the demo scores to the leaderboards like any submit. */
#include "app/seed_demo.h"
#include "handlers/questions.h"
#include "rules/credit_code.h"
#include "rules/score.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/db.h"
#include "server/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name, *region, *type;
    int headcount;
} demo_unit_t;

static const demo_unit_t units[] = {
    { "太原市水务局（演示）", "140100", "water_admin", 60 },
    { "小店区水利局（演示）", "140105", "water_admin", 25 },
    { "北京市朝阳区水务局（演示）", "110105", "water_admin", 40 },
    { "苏州太湖水利工程有限公司（演示）", "320506", "water_enterprise", 120 },
    { "杭州钱塘江水电开发有限公司（演示）", "330100", "water_enterprise", 80 },
    { "武汉市长江堤防管理处（演示）", "420106", "water_admin", 35 },
    { "成都都江堰灌区管理处（演示）", "510100", "water_admin", 50 },
    { "东莞东江供水有限公司（演示）", "441900", "water_enterprise", 90 },
};
#define NUNITS (sizeof units / sizeof units[0])

static const char *const names[] = {
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴刚", "徐丽", "孙涛",
    "马超", "朱琳", "胡军", "郭敏", "何平", "林峰", "罗欣", "高翔", "欧阳娜娜", "司马光明", "梁晨", "宋佳",
};
#define NPEOPLE (sizeof names / sizeof names[0])

static const char *const five_into_kinds[] = { "enterprise", "village", "community", "school", "family" };

/* A valid unified social credit code for demo unit i: 91 + the region +
 * a serial, and whichever check character GB 32100 accepts. */
static int demo_credit_code(size_t i, const char *region, char out[19])
{
    static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char base[19];
    snprintf(base, sizeof base, "91%.6sMA%07zu", region, 1000 + i);
    for (int k = 0; k < 31; k++) {
        base[17] = charset[k];
        base[18] = '\0';
        if (rules_credit_code_normalize(base, out) == 0)
            return 0;
    }
    return -1;
}

/* Region code -> its province, city and county columns. */
static int region_cols(db_t *db, arena_t *a, const char *code, const char **prov, const char **city,
                       const char **county)
{
    db_res_t *r = db_query(db, a, "SELECT level, province_code, city_code FROM regions WHERE code = ?", "s", code);
    if (!r || !r->nrows)
        return -1;
    *prov = db_get(r, 0, 1);
    *city = db_get(r, 0, 2);
    *county = db_int(r, 0, 0) == 3 ? code : NULL;
    return 0;
}

static int import_bank(db_t *db, arena_t *a)
{
    char path[512];
    snprintf(path, sizeof path, "%s/seed/questions.csv", g_config.schema_dir);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "seed-demo: cannot open %s\n", path);
        return -1;
    }
    static char data[4 * 1024 * 1024];
    size_t len = fread(data, 1, sizeof data, fp);
    fclose(fp);
    qimport_t res;
    int rc = questions_import(db, NULL, a, data, len, 0, &res, NULL, NULL);
    if (rc == 0)
        printf("seed-demo: question bank: %lld new, %lld updated, %lld unchanged, %lld rejected\n", res.created,
               res.updated, res.unchanged, res.rejected_total);
    else
        fprintf(stderr, "seed-demo: question import failed: %s\n", rc == -2 ? res.error : db_error(db));
    json_decref(res.rejected);
    return rc;
}

/* Both seeded contests open now, registration open, for three weeks. */
static int open_contests(db_t *db, long long now)
{
    long long n = db_exec(db, "UPDATE contests SET starts_at = ?, registration_deadline = ?, ends_at = ?, updated_at = ?"
                              " WHERE slug IN ('shuian', 'liuxiang')"
                              " AND NOT (starts_at <= ? AND ends_at > ? + 86400 AND registration_deadline > ? + 3600)",
                          "iiiiiii", now - 86400, now + 20 * 86400, now + 21 * 86400, now, now, now, now);
    if (n < 0)
        return -1;
    printf("seed-demo: %lld contest(s) moved to open now (registration open for 20 days)\n", n);
    return 0;
}

/* The seeded public lecture moves to today (Shanghai), same hours, so its
 * check-in code works during a demo. */
static int open_lecture(db_t *db, long long now)
{
    long long day0 = rules_shanghai_day_start(rules_shanghai_day(now));
    long long n = db_exec(db, "UPDATE event_sessions s JOIN events e ON e.id = s.event_id"
                              " SET s.starts_at = ? + IF(s.seq = 0, 32400, 52200),"
                              " s.ends_at = ? + IF(s.seq = 0, 41400, 59400)"
                              " WHERE e.title = '水利安全生产公益讲座' AND e.created_by IS NULL",
                          "ii", day0, day0);
    if (n < 0)
        return -1;
    printf("seed-demo: the public lecture moved to today 09:00-11:30 and 14:30-16:30\n");
    return 0;
}

static int add_units(db_t *db, arena_t *a, long long now, long long ids[NUNITS])
{
    for (size_t i = 0; i < NUNITS; i++) {
        char cc[19];
        const char *prov, *city, *county;
        if (demo_credit_code(i, units[i].region, cc) < 0 || region_cols(db, a, units[i].region, &prov, &city, &county) < 0) {
            fprintf(stderr, "seed-demo: region %s is not in the regions table\n", units[i].region);
            return -1;
        }
        if (db_exec(db, "INSERT IGNORE INTO units (name, credit_code, region_code, province_code, city_code,"
                        " county_code, type, headcount, contact_name, created_at, verified)"
                        /* verified: the demo's participation board ranks them */
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '演示联系人', ?, 1)",
                    "sssssssii", units[i].name, cc, units[i].region, prov, city, county, units[i].type,
                    (long long)units[i].headcount, now) < 0)
            return -1;
        db_res_t *r = db_query(db, a, "SELECT id FROM units WHERE credit_code = ?", "s", cc);
        if (!r || !r->nrows)
            return -1;
        ids[i] = db_int(r, 0, 0);
    }
    printf("seed-demo: %zu demo units\n", NUNITS);
    return 0;
}

/* A submitted attempt with this score, the day's best, the contest score
 * and the outbox row, in one transaction, as a submit would write them. */
static int add_score(db_t *db, arena_t *a, long long contest_id, long long uid, long long score, long long at,
                     const char *paper)
{
    long long day = rules_shanghai_day(at);
    char *reply = arena_sprintf(a, "{\"attempt_id\":0,\"demo\":true,\"score\":%lld,\"contest_score\":%lld}", score,
                                score);
    if (db_begin(db) < 0)
        return -1;
    if (db_exec(db, "INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, submitted_at, score,"
                    " correct_count, questions, reply) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "iiiiiiiiss", contest_id, uid, day, at - 300, at + 600, at, score, score / 5, paper, reply) < 0)
        goto fail;
    long long aid = db_last_id(db);
    if (db_exec(db, "INSERT INTO daily_best (contest_id, user_id, day, score, reached_at) VALUES (?, ?, ?, ?, ?)",
                "iiiii", contest_id, uid, day, score, at) < 0 ||
        db_exec(db, "INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted,"
                    " first_submitted_at) VALUES (?, ?, ?, ?, 1, ?)", "iiiii", contest_id, uid, score, at, at) < 0 ||
        db_exec(db, "INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,"
                    " first_submit, created_at) VALUES (?, ?, ?, 0, ?, ?, 1, ?)",
                "iiiiii", contest_id, uid, aid, score, at, at) < 0)
        goto fail;
    return db_commit(db);
fail:
    db_rollback(db);
    return -1;
}

static int add_people(db_t *db, arena_t *a, long long now, const long long unit_ids[NUNITS])
{
    db_res_t *contests = db_query(db, a, "SELECT id FROM contests WHERE slug IN ('shuian', 'liuxiang') ORDER BY id", "");
    /* The demo attempts' paper: the bank's first 20 questions, options in
     * bank order, so that the stored attempt is well-formed. */
    db_res_t *qs = db_query(db, a, "SELECT id, JSON_LENGTH(options) FROM questions WHERE active = 1 ORDER BY id LIMIT 20",
                            "");
    if (!contests || !qs)
        return -1;
    char *paper = arena_strdup(a, "[");
    for (size_t i = 0; i < qs->nrows; i++)
        paper = arena_sprintf(a, "%s%s{\"id\":%lld,\"o\":\"%.*s\"}", paper, i ? "," : "", db_int(qs, i, 0),
                              (int)db_int(qs, i, 1), "ABCDEF");
    paper = arena_sprintf(a, "%s]", paper);
    int scored = 0;
    for (size_t i = 0; i < NPEOPLE; i++) {
        char openid[32];
        snprintf(openid, sizeof openid, "demo-user-%02zu", i + 1);
        if (db_exec(db, "INSERT IGNORE INTO users (openid, roles, created_at, last_login_at) VALUES (?, 1, ?, ?)",
                    "sii", openid, now, now) < 0)
            return -1;
        db_res_t *u = db_query(db, a, "SELECT id FROM users WHERE openid = ?", "s", openid);
        if (!u || !u->nrows)
            return -1;
        long long uid = db_int(u, 0, 0);
        size_t ui = i % NUNITS;
        const char *prov, *city, *county;
        if (region_cols(db, a, units[ui].region, &prov, &city, &county) < 0)
            return -1;
        int five = i % 4 == 3;   /* every fourth person is a five-into member */
        long long rc = five
            ? db_exec(db, "INSERT IGNORE INTO profiles (user_id, real_name, region_code, province_code, city_code,"
                          " county_code, kind, five_into_category, five_into_org, sponsor_unit_id, board_unit_id,"
                          " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'five_into', ?, ?, ?, ?, ?, ?)",
                      "isssssssiiii", uid, names[i], units[ui].region, prov, city, county,
                      five_into_kinds[i % 5], "演示社区（演示）", unit_ids[ui], unit_ids[ui], now, now)
            : db_exec(db, "INSERT IGNORE INTO profiles (user_id, real_name, region_code, province_code, city_code,"
                          " county_code, kind, unit_id, is_unit_leader, position, board_unit_id, created_at, updated_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, 'staff', ?, ?, ?, ?, ?, ?)",
                      "isssssiisiii", uid, names[i], units[ui].region, prov, city, county, unit_ids[ui],
                      (long long)(i < NUNITS), i < NUNITS ? "局长" : NULL, unit_ids[ui], now, now);
        if (rc < 0)
            return -1;
        for (size_t c = 0; c < contests->nrows; c++) {
            long long cid = db_int(contests, c, 0);
            db_res_t *has = db_query(db, a, "SELECT 1 FROM contest_scores WHERE contest_id = ? AND user_id = ?", "ii",
                                     cid, uid);
            if (!has)
                return -1;
            if (has->nrows)
                continue;
            /* Scores from 40 to 100 in steps of 5, spread over the last hours. */
            long long score = 40 + (long long)((i * 7 + c * 3) % 13) * 5;
            if (add_score(db, a, cid, uid, score, now - 600 * (long long)(i + 1) - 60 * (long long)c, paper) < 0)
                return -1;
            scored++;
        }
    }
    printf("seed-demo: %zu demo people, %d new score(s)\n", NPEOPLE, scored);
    return 0;
}

int cmd_seed_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    db_t *db = db_new();
    arena_t a;
    arena_init(&a);
    long long now = clock_now_s();
    long long unit_ids[NUNITS];
    int rc = -1;
    if (migrate_run(db, g_config.schema_dir) < 0)
        fprintf(stderr, "seed-demo: migrations failed\n");
    else if (import_bank(db, &a) == 0 && open_contests(db, now) == 0 && open_lecture(db, now) == 0 && add_units(db, &a, now, unit_ids) == 0 &&
             add_people(db, &a, now, unit_ids) == 0)
        rc = 0;
    if (rc < 0 && db_errno(db))
        fprintf(stderr, "seed-demo: database error %d\n", db_errno(db));
    arena_free(&a);
    db_free(db);
    return rc < 0 ? 1 : 0;
}
