/* weekly.c: the weekly report (市局每周调度、通报): per unit of the
 * requester's area, grouped province → city → county, for a period
 * [F, T) (a Monday-to-Sunday week in Shanghai, or any range of dates):
 *
 *   staff registered by T and the change since F; five-into members under
 *   the unit by T; whether its principal leader (is_unit_leader) had
 *   registered by T, the position given, and whether they had answered a
 *   running contest by T;
 *   per contest running in the period (starts before T, ends at or after
 *   F): participants by T (people with a submitted attempt) and the change
 *   since F, the participation rate (staff who answered ÷ headcount, at
 *   most 1: RULES.md), attempts in the period (accepted submits, one
 *   board_outbox row each, as GET /admin/stats counts them) and in the
 *   period before, the total of the participants' contest scores at T (the
 *   last outbox row before T of each person: what the boards showed at T)
 *   and its average;
 *   attendance of the events whose first session starts in the period:
 *   check-ins by the unit's people, members the unit recorded, and the
 *   people who attended either way (each counted once per event).
 *
 * Then a summary per region (each province, city and county: the same
 * sums) and the units where nobody took part. The figures come from a few
 * GROUP BY queries over the area, joined to the units in memory (one small
 * record per unit, not per person). */
#include "engines/reports/reports_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXC 6

typedef struct {
    long long part_t, part_f, staff_part, attempts, attempts_prev, score;
} cfig_t;

typedef struct {
    long long id, head, reg_t, reg_f, five;
    int leader, leader_reg, leader_part;
    const char *leader_pos;
    long long checkins, recorded, attended;
    cfig_t c[MAXC];
} ufig_t;

typedef struct {
    char key[20];
    int level;                 /* 1 province, 2 city, 3 county */
    const char *name;
    long long units, head, reg, five, nobody, attended;
    long long part[MAXC], staff_capped[MAXC], attempts[MAXC], score[MAXC];
} agg_t;

typedef struct {
    rep_run_t *run;
    long long F, T, F2;
    int nc;
    long long cid[MAXC];
    const char *cname[MAXC];
    db_res_t *units;           /* id, name, type, headcount, prov, city, county, prov/city/county names */
    ufig_t *fig;               /* per row of units */
    long long (*index)[2];     /* (unit id, row) sorted by id */
    agg_t *agg;
    size_t nagg;
} wk_t;

static int idx_cmp(const void *x, const void *y)
{
    long long a = ((const long long *)x)[0], b = ((const long long *)y)[0];
    return a < b ? -1 : a > b;
}

static ufig_t *fig_of(wk_t *w, long long unit_id)
{
    long long key[2] = { unit_id, 0 };
    long long (*hit)[2] = bsearch(key, w->index, w->units->nrows, sizeof w->index[0], idx_cmp);
    return hit ? &w->fig[(*hit)[1]] : NULL;
}

#define AR(w) (w)->run->who.area, (w)->run->who.area, (w)->run->who.area, (w)->run->who.area
#define UNIT_OK " u.disabled = 0 AND u.merged_into IS NULL AND" REP_AREA("u")

static int load_units(wk_t *w)
{
    rep_run_t *run = w->run;
    const char *rg = rep_param_str(run->params, "region") ? rep_param_str(run->params, "region") : "";
    w->units = db_query(run->db, run->arena,
        "SELECT u.id, u.name, u.type, u.headcount, u.province_code, IFNULL(u.city_code, ''),"
        " IFNULL(u.county_code, ''), rp.name, rc.name, rn.name"
        " FROM units u LEFT JOIN regions rp ON rp.code = u.province_code"
        " LEFT JOIN regions rc ON rc.code = u.city_code LEFT JOIN regions rn ON rn.code = u.county_code"
        " WHERE" UNIT_OK " AND (? = '' OR u.province_code = ? OR u.city_code = ? OR u.county_code = ?)"
        " AND u.created_at < ?"
        " ORDER BY u.province_code, u.city_code, u.county_code, u.id",
        "ssssssssi", AR(w), rg, rg, rg, rg, w->T);
    if (!w->units)
        return -1;
    size_t n = w->units->nrows;
    w->fig = arena_alloc(run->arena, (n + 1) * sizeof *w->fig);
    w->index = arena_alloc(run->arena, (n + 1) * sizeof *w->index);
    for (size_t i = 0; i < n; i++) {
        w->fig[i].id = db_int(w->units, i, 0);
        w->fig[i].head = db_int(w->units, i, 3);
        w->index[i][0] = w->fig[i].id;
        w->index[i][1] = (long long)i;
    }
    qsort(w->index, n, sizeof w->index[0], idx_cmp);
    db_res_t *c = db_query(run->db, run->arena, "SELECT id, name FROM contests WHERE starts_at < ? AND ends_at >= ?"
                                                " ORDER BY is_main DESC, starts_at, id LIMIT 6", "ii", w->T, w->F);
    if (!c)
        return -1;
    w->nc = (int)c->nrows;
    for (int k = 0; k < w->nc; k++) {
        w->cid[k] = db_int(c, (size_t)k, 0);
        w->cname[k] = db_get(c, (size_t)k, 1);
    }
    return 0;
}

static int load_people(wk_t *w)
{
    rep_run_t *run = w->run;
    db_res_t *r = db_query(run->db, run->arena,
        "SELECT p.board_unit_id, SUM(p.kind = 'staff' AND p.created_at < ?), SUM(p.kind = 'staff' AND p.created_at < ?),"
        " SUM(p.kind = 'five_into' AND p.created_at < ?)"
        " FROM profiles p JOIN units u ON u.id = p.board_unit_id WHERE" UNIT_OK " GROUP BY p.board_unit_id",
        "iiissss", w->T, w->F, w->T, AR(w));
    if (!r)
        return -1;
    for (size_t i = 0; i < r->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(r, i, 0));
        if (f) {
            f->reg_t = db_int(r, i, 1);
            f->reg_f = db_int(r, i, 2);
            f->five = db_int(r, i, 3);
        }
    }
    /* Principal leaders: one per unit, preferring one registered by T. */
    r = db_query(run->db, run->arena,
        "SELECT p.board_unit_id, p.position, p.created_at < ?,"
        " EXISTS (SELECT 1 FROM contest_scores s JOIN contests c ON c.id = s.contest_id WHERE s.user_id = p.user_id"
        "   AND c.starts_at < ? AND c.ends_at >= ? AND s.first_submitted_at < ?)"
        " FROM profiles p JOIN units u ON u.id = p.board_unit_id"
        " WHERE p.is_unit_leader = 1 AND p.kind = 'staff' AND" UNIT_OK
        " ORDER BY p.board_unit_id, p.created_at < ? DESC, p.user_id",
        "iiiissssi", w->T, w->T, w->F, w->T, AR(w), w->T);
    if (!r)
        return -1;
    for (size_t i = 0; i < r->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(r, i, 0));
        if (!f || f->leader)
            continue;
        f->leader = 1;
        f->leader_reg = (int)db_int(r, i, 2);
        f->leader_part = f->leader_reg && db_int(r, i, 3);
        f->leader_pos = f->leader_reg ? db_get(r, i, 1) : NULL;
    }
    return 0;
}

static int load_contest(wk_t *w, int k)
{
    rep_run_t *run = w->run;
    long long c = w->cid[k];
    db_res_t *r = db_query(run->db, run->arena,
        "SELECT p.board_unit_id, SUM(s.first_submitted_at < ?), SUM(s.first_submitted_at < ?),"
        " SUM(p.kind = 'staff' AND s.first_submitted_at < ?)"
        " FROM contest_scores s JOIN profiles p ON p.user_id = s.user_id JOIN units u ON u.id = p.board_unit_id"
        " WHERE s.contest_id = ? AND" UNIT_OK " GROUP BY p.board_unit_id",
        "iiiissss", w->T, w->F, w->T, c, AR(w));
    for (size_t i = 0; r && i < r->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(r, i, 0));
        if (f) {
            f->c[k].part_t = db_int(r, i, 1);
            f->c[k].part_f = db_int(r, i, 2);
            f->c[k].staff_part = db_int(r, i, 3);
        }
    }
    db_res_t *o = r ? db_query(run->db, run->arena,
        "SELECT p.board_unit_id, SUM(o.created_at >= ?), SUM(o.created_at < ?)"
        " FROM board_outbox o JOIN profiles p ON p.user_id = o.user_id JOIN units u ON u.id = p.board_unit_id"
        " WHERE o.contest_id = ? AND o.created_at >= ? AND o.created_at < ? AND" UNIT_OK
        " GROUP BY p.board_unit_id",
        "iiiiissss", w->F, w->F, c, w->F2, w->T, AR(w)) : NULL;
    for (size_t i = 0; o && i < o->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(o, i, 0));
        if (f) {
            f->c[k].attempts = db_int(o, i, 1);
            f->c[k].attempts_prev = db_int(o, i, 2);
        }
    }
    db_res_t *s = o ? db_query(run->db, run->arena,
        "SELECT p.board_unit_id, SUM(x.new_score) FROM"
        " (SELECT o.user_id, o.new_score, ROW_NUMBER() OVER (PARTITION BY o.user_id ORDER BY o.id DESC) AS rn"
        "  FROM board_outbox o WHERE o.contest_id = ? AND o.created_at < ?) x"
        " JOIN profiles p ON p.user_id = x.user_id JOIN units u ON u.id = p.board_unit_id"
        " WHERE x.rn = 1 AND" UNIT_OK " GROUP BY p.board_unit_id",
        "iissss", c, w->T, AR(w)) : NULL;
    for (size_t i = 0; s && i < s->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(s, i, 0));
        if (f)
            f->c[k].score = db_int(s, i, 1);
    }
    return s ? 0 : -1;
}

/* Events whose first session starts in the period. */
#define IN_PERIOD(e) " JOIN event_sessions es ON es.event_id = " e " AND es.seq = 0 AND es.starts_at >= ? AND es.starts_at < ?"

static int load_attendance(wk_t *w)
{
    rep_run_t *run = w->run;
    db_res_t *k = db_query(run->db, run->arena,
        "SELECT p.board_unit_id, COUNT(*) FROM event_checkins k" IN_PERIOD("k.event_id")
        " JOIN profiles p ON p.user_id = k.user_id JOIN units u ON u.id = p.board_unit_id"
        " WHERE" UNIT_OK " GROUP BY p.board_unit_id", "iissss", w->F, w->T, AR(w));
    db_res_t *a = db_query(run->db, run->arena,
        "SELECT t.unit_id, COUNT(*) FROM event_attendance t" IN_PERIOD("t.event_id")
        " JOIN units u ON u.id = t.unit_id WHERE" UNIT_OK " GROUP BY t.unit_id", "iissss", w->F, w->T, AR(w));
    db_res_t *x = db_query(run->db, run->arena,
        "SELECT x.unit_id, COUNT(*) FROM"
        " (SELECT k.event_id, k.user_id, p.board_unit_id AS unit_id FROM event_checkins k"
        "  JOIN profiles p ON p.user_id = k.user_id"
        "  UNION SELECT t.event_id, t.user_id, t.unit_id FROM event_attendance t) x" IN_PERIOD("x.event_id")
        " JOIN units u ON u.id = x.unit_id WHERE" UNIT_OK " GROUP BY x.unit_id", "iissss", w->F, w->T, AR(w));
    if (!k || !a || !x)
        return -1;
    for (size_t i = 0; i < k->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(k, i, 0));
        if (f)
            f->checkins = db_int(k, i, 1);
    }
    for (size_t i = 0; i < a->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(a, i, 0));
        if (f)
            f->recorded = db_int(a, i, 1);
    }
    for (size_t i = 0; i < x->nrows; i++) {
        ufig_t *f = fig_of(w, db_int(x, i, 0));
        if (f)
            f->attended = db_int(x, i, 1);
    }
    return 0;
}

static double rate(long long staff_part, long long head)
{
    if (head <= 0)
        return 0;
    return staff_part >= head ? 1.0 : (double)staff_part / (double)head;
}

static int nobody(const wk_t *w, const ufig_t *f)
{
    for (int k = 0; k < w->nc; k++)
        if (f->c[k].part_t)
            return 0;
    return 1;
}

/* ---- the sheets ---------------------------------------------------------- */

static const char *const UNIT_HEAD[] = { "省", "市", "县（区）", "单位ID", "单位名称", "类型", "职工人数",
                                        "已注册职工", "注册较上期", "五进人员", "主要负责人已注册",
                                        "主要负责人职务", "主要负责人已参与" };
static const char *const C_HEAD[] = { "参与人数", "参与较上期", "参与率", "答题次数", "答题次数较上期",
                                      "总分", "平均分" };
static const rep_type_t C_TYPE[] = { REP_INT, REP_INT, REP_PCT, REP_INT, REP_INT, REP_INT, REP_NUM };
static const char *const ATT_HEAD[] = { "讲座签到", "讲座集中收看登记", "讲座参加人数" };

static rep_col_t *unit_cols(wk_t *w, int *n)
{
    int nu = (int)(sizeof UNIT_HEAD / sizeof UNIT_HEAD[0]);
    rep_col_t *c = arena_alloc(w->run->arena, (size_t)(nu + 7 * MAXC + 3) * sizeof *c);
    int i = 0;
    for (; i < nu; i++) {
        c[i].title = UNIT_HEAD[i];
        c[i].type = (i == 3 || i == 6 || i == 7 || i == 8 || i == 9) ? REP_INT : REP_TEXT;
        c[i].width = i == 4 ? 36 : i == 11 ? 16 : i == 5 ? 14 : 0;
    }
    for (int k = 0; k < w->nc; k++)
        for (int j = 0; j < 7; j++, i++) {
            c[i].title = arena_sprintf(w->run->arena, "%s·%s", w->cname[k], C_HEAD[j]);
            c[i].type = C_TYPE[j];
            c[i].width = 10;
        }
    for (int j = 0; j < 3; j++, i++)
        c[i] = (rep_col_t){ ATT_HEAD[j], REP_INT, 0 };
    *n = i;
    return c;
}

static void unit_row(wk_t *w, size_t i)
{
    rep_book_t *b = w->run->book;
    db_res_t *u = w->units;
    ufig_t *f = &w->fig[i];
    rep_text(b, db_get(u, i, 7));
    rep_text(b, db_get(u, i, 8));
    rep_text(b, db_get(u, i, 9));
    rep_int(b, f->id);
    rep_text(b, db_get(u, i, 1));
    rep_text(b, rep_unit_type_name(db_get(u, i, 2)));
    rep_int(b, f->head);
    rep_int(b, f->reg_t);
    rep_int(b, f->reg_t - f->reg_f);
    rep_int(b, f->five);
    rep_text(b, !f->leader ? "无" : f->leader_reg ? "是" : "否");
    rep_text(b, f->leader_pos);
    rep_text(b, !f->leader ? "无" : f->leader_part ? "是" : "否");
    for (int k = 0; k < w->nc; k++) {
        const cfig_t *c = &f->c[k];
        rep_int(b, c->part_t);
        rep_int(b, c->part_t - c->part_f);
        rep_num(b, rate(c->staff_part, f->head));
        rep_int(b, c->attempts);
        rep_int(b, c->attempts - c->attempts_prev);
        rep_int(b, c->score);
        rep_num(b, c->part_t ? (double)c->score / (double)c->part_t : 0.0);
    }
    rep_int(b, f->checkins);
    rep_int(b, f->recorded);
    rep_int(b, f->attended);
}

/* ---- per-region sums: units come sorted by province, city, county, so
 * each region's units are contiguous and its sum ends where they do. ---- */

static void agg_add(wk_t *w, agg_t *g, const ufig_t *f)
{
    g->units++;
    g->head += f->head;
    g->reg += f->reg_t;
    g->five += f->five;
    g->attended += f->attended;
    g->nobody += nobody(w, f);
    for (int k = 0; k < w->nc; k++) {
        g->part[k] += f->c[k].part_t;
        g->staff_capped[k] += f->c[k].staff_part < f->head ? f->c[k].staff_part : f->head;
        g->attempts[k] += f->c[k].attempts;
        g->score[k] += f->c[k].score;
    }
}

static void build_aggs(wk_t *w)
{
    size_t n = w->units->nrows;
    w->agg = arena_alloc(w->run->arena, (3 * n + 1) * sizeof *w->agg);
    agg_t *cur[4] = { 0 };
    for (size_t i = 0; i < n; i++) {
        for (int lv = 1; lv <= 3; lv++) {
            const char *code = db_get(w->units, i, 3 + lv);
            if (!code || !*code)
                continue;
            char key[20];
            snprintf(key, sizeof key, "%s%s%s", db_get(w->units, i, 4),
                     lv >= 2 ? db_get(w->units, i, 5) : "", lv == 3 ? code : "");
            if (!cur[lv] || strcmp(cur[lv]->key, key) != 0) {
                cur[lv] = &w->agg[w->nagg++];
                snprintf(cur[lv]->key, sizeof cur[lv]->key, "%s", key);
                cur[lv]->level = lv;
                cur[lv]->name = db_get(w->units, i, 6 + lv);
            }
            agg_add(w, cur[lv], &w->fig[i]);
        }
    }
}

static int agg_cmp(const void *x, const void *y)
{
    return strcmp(((const agg_t *)x)->key, ((const agg_t *)y)->key);
}

static int write_summary(wk_t *w)
{
    static const char *const HEAD[] = { "级别", "地区", "单位数", "职工人数", "已注册职工", "五进人员",
                                        "无人参与单位数", "讲座参加人数" };
    rep_col_t *c = arena_alloc(w->run->arena, (8 + 4 * MAXC) * sizeof *c);
    int n = 0;
    for (; n < 8; n++)
        c[n] = (rep_col_t){ HEAD[n], n < 2 ? REP_TEXT : REP_INT, n == 1 ? 16 : 0 };
    for (int k = 0; k < w->nc; k++) {
        c[n++] = (rep_col_t){ arena_sprintf(w->run->arena, "%s·参与人数", w->cname[k]), REP_INT, 10 };
        c[n++] = (rep_col_t){ arena_sprintf(w->run->arena, "%s·参与率", w->cname[k]), REP_PCT, 10 };
        c[n++] = (rep_col_t){ arena_sprintf(w->run->arena, "%s·答题次数", w->cname[k]), REP_INT, 10 };
        c[n++] = (rep_col_t){ arena_sprintf(w->run->arena, "%s·平均分", w->cname[k]), REP_NUM, 10 };
    }
    if (rep_sheet(w->run->book, "地区汇总", c, n) < 0)
        return -1;
    qsort(w->agg, w->nagg, sizeof *w->agg, agg_cmp);
    rep_book_t *b = w->run->book;
    for (size_t i = 0; i < w->nagg; i++) {
        const agg_t *g = &w->agg[i];
        rep_text(b, g->level == 1 ? "省" : g->level == 2 ? "市" : "县（区）");
        rep_text(b, g->name);
        long long v[6] = { g->units, g->head, g->reg, g->five, g->nobody, g->attended };
        for (int j = 0; j < 6; j++)
            rep_int(b, v[j]);
        for (int k = 0; k < w->nc; k++) {
            rep_int(b, g->part[k]);
            rep_num(b, g->head ? (double)g->staff_capped[k] / (double)g->head : 0.0);
            rep_int(b, g->attempts[k]);
            rep_num(b, g->part[k] ? (double)g->score[k] / (double)g->part[k] : 0.0);
        }
        if (rep_row_end(b) < 0)
            return -1;
    }
    return 0;
}

static int write_units(wk_t *w, int only_nobody)
{
    int n;
    rep_col_t *c = unit_cols(w, &n);
    if (rep_sheet(w->run->book, only_nobody ? "无人参与单位" : "各单位", c, only_nobody ? 10 : n) < 0)
        return -1;
    for (size_t i = 0; i < w->units->nrows; i++) {
        if (only_nobody) {
            if (!nobody(w, &w->fig[i]))
                continue;
            rep_book_t *b = w->run->book;
            for (int j = 0; j < 3; j++)
                rep_text(b, db_get(w->units, i, 7 + j));
            rep_int(b, w->fig[i].id);
            rep_text(b, db_get(w->units, i, 1));
            rep_text(b, rep_unit_type_name(db_get(w->units, i, 2)));
            rep_int(b, w->fig[i].head);
            rep_int(b, w->fig[i].reg_t);
            rep_int(b, w->fig[i].reg_t - w->fig[i].reg_f);
            rep_int(b, w->fig[i].five);
        } else {
            unit_row(w, i);
            w->run->rows++;
        }
        if (rep_row_end(w->run->book) < 0)
            return -1;
    }
    return 0;
}

int rep_write_weekly(rep_run_t *run)
{
    wk_t w = { .run = run };
    w.F = rep_param_int(run->params, "from_s", 0);
    w.T = rep_param_int(run->params, "to_s", 0);
    w.F2 = w.F - (w.T - w.F);
    if (w.T <= w.F)
        return run->fail_reason = "the period is empty", -1;
    if (load_units(&w) < 0 || rep_progress(run, 0.1) < 0 || load_people(&w) < 0 || rep_progress(run, 0.2) < 0)
        return -1;
    for (int k = 0; k < w.nc; k++)
        if (load_contest(&w, k) < 0 || rep_progress(run, 0.2 + 0.1 * k) < 0)
            return -1;
    if (load_attendance(&w) < 0 || rep_progress(run, 0.8) < 0)
        return -1;
    build_aggs(&w);
    if (write_units(&w, 0) < 0 || write_summary(&w) < 0 || write_units(&w, 1) < 0)
        return run->fail_reason ? -1 : (run->fail_reason = "the export file could not be written", -1);
    return 0;
}
