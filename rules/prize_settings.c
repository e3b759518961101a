/* prize_settings.c: see prize_settings.h. */
#include "rules/prize_settings.h"
#include "rules/names.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errsz)
        vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

/* Only the listed members; returns the first other name, or NULL. */
static const char *unknown_member(json_t *o, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        int ok = 0;
        for (int k = 0; known[k]; k++)
            ok |= strcmp(known[k], key) == 0;
        if (!ok)
            return key;
    }
    return NULL;
}

static int name_field(json_t *o, const char *path, char *out, char *err, size_t errsz)
{
    json_t *v = json_object_get(o, "name");
    if (!json_is_string(v) || rules_text_field(json_string_value(v), 1, 20, out, PRIZE_NAME_MAX) < 0)
        return fail(err, errsz, "%s.name: 1 to 20 characters", path);
    return 0;
}

static int count_field(json_t *o, const char *path, int *out, char *err, size_t errsz)
{
    json_t *v = json_object_get(o, "count");
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > PRIZE_MAX_COUNT)
        return fail(err, errsz, "%s.count: a whole number from 1 to %d", path, PRIZE_MAX_COUNT);
    *out = (int)json_integer_value(v);
    return 0;
}

static int parse_tiers(json_t *a, prize_settings_t *s, char *err, size_t errsz)
{
    static const char *const known[] = { "name", "count", NULL };
    if (!json_is_array(a) || json_array_size(a) > PRIZE_MAX_TIERS)
        return fail(err, errsz, "prize_settings.tiers: a list of at most %d {\"name\", \"count\"}", PRIZE_MAX_TIERS);
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        char path[64];
        snprintf(path, sizeof path, "prize_settings.tiers[%zu]", i);
        const char *bad;
        if (!json_is_object(e))
            return fail(err, errsz, "%s: an object {\"name\", \"count\"}", path);
        if ((bad = unknown_member(e, known)))
            return fail(err, errsz, "%s.%.40s: not a tier setting", path, bad);
        if (name_field(e, path, s->tiers[i].name, err, errsz) < 0 ||
            count_field(e, path, &s->tiers[i].count, err, errsz) < 0)
            return -1;
        s->ntiers = (int)i + 1;
    }
    return 0;
}

static int parse_draws(json_t *a, prize_settings_t *s, char *err, size_t errsz)
{
    static const char *const known[] = { "name", "count", "min_score_exclusive", NULL };
    if (!json_is_array(a) || json_array_size(a) > PRIZE_MAX_DRAWS)
        return fail(err, errsz, "prize_settings.draws: a list of at most %d"
                    " {\"name\", \"count\", \"min_score_exclusive\"}", PRIZE_MAX_DRAWS);
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e) {
        char path[64];
        snprintf(path, sizeof path, "prize_settings.draws[%zu]", i);
        const char *bad;
        if (!json_is_object(e))
            return fail(err, errsz, "%s: an object {\"name\", \"count\", \"min_score_exclusive\"}", path);
        if ((bad = unknown_member(e, known)))
            return fail(err, errsz, "%s.%.40s: not a draw setting", path, bad);
        if (name_field(e, path, s->draws[i].name, err, errsz) < 0 ||
            count_field(e, path, &s->draws[i].count, err, errsz) < 0)
            return -1;
        json_t *m = json_object_get(e, "min_score_exclusive");
        if (!json_is_integer(m) || json_integer_value(m) < 0 || json_integer_value(m) > 1000000)
            return fail(err, errsz, "%s.min_score_exclusive: who may be drawn: a whole number from 0 to"
                        " 1000000 (the contest score must be above it)", path);
        s->draws[i].min_score_exclusive = (int)json_integer_value(m);
        s->ndraws = (int)i + 1;
    }
    return 0;
}

static int parse_full_marks(json_t *o, prize_settings_t *s, char *err, size_t errsz)
{
    static const char *const known[] = { "name", "count", "fill_by_rank", NULL };
    const char *path = "prize_settings.full_marks_draw", *bad;
    if (!json_is_object(o))
        return fail(err, errsz, "%s: an object {\"count\", \"fill_by_rank\", \"name\"?}", path);
    if ((bad = unknown_member(o, known)))
        return fail(err, errsz, "%s.%.40s: not a setting of the full-marks rule", path, bad);
    if (json_object_get(o, "name")) {
        if (name_field(o, path, s->fm.name, err, errsz) < 0)
            return -1;
    } else {
        snprintf(s->fm.name, sizeof s->fm.name, "%s", "话费奖");
    }
    if (count_field(o, path, &s->fm.count, err, errsz) < 0)
        return -1;
    json_t *f = json_object_get(o, "fill_by_rank");
    if (!json_is_boolean(f))
        return fail(err, errsz, "%s.fill_by_rank: true or false", path);
    s->fm_fill_by_rank = json_is_true(f);
    s->full_marks = 1;
    return 0;
}

int rules_prize_settings_parse(json_t *j, prize_settings_t *out, char *err, size_t errsz)
{
    static const char *const known[] = { "tiers", "draws", "full_marks_draw", NULL };
    memset(out, 0, sizeof *out);
    if (errsz)
        err[0] = '\0';
    if (!json_is_object(j))
        return fail(err, errsz, "prize_settings: an object or null");
    const char *bad = unknown_member(j, known);
    if (bad)
        return fail(err, errsz, "prize_settings.%.40s: not a prize setting (tiers, draws, full_marks_draw)", bad);
    json_t *t = json_object_get(j, "tiers"), *d = json_object_get(j, "draws"),
           *f = json_object_get(j, "full_marks_draw");
    if (f && (t || d))
        return fail(err, errsz, "prize_settings.full_marks_draw: stands alone (no tiers or draws beside it)");
    if (f)
        return parse_full_marks(f, out, err, errsz);
    if ((t && parse_tiers(t, out, err, errsz) < 0) || (d && parse_draws(d, out, err, errsz) < 0))
        return -1;
    if (out->ntiers + out->ndraws == 0)
        return fail(err, errsz, "prize_settings: at least one tier or draw (or null for no prizes)");
    /* Names label the published lists: two alike would be ambiguous. */
    int n = rules_prize_groups(out);
    for (int a = 0; a < n; a++)
        for (int b = 0; b < a; b++)
            if (strcmp(rules_prize_group_name(out, a), rules_prize_group_name(out, b)) == 0)
                return fail(err, errsz, "prize_settings.%s[%d].name: the name %s is used twice",
                            a < out->ntiers ? "tiers" : "draws", a < out->ntiers ? a : a - out->ntiers,
                            rules_prize_group_name(out, a));
    return 0;
}

int rules_prize_groups(const prize_settings_t *s)
{
    return s->full_marks ? 1 : s->ntiers + s->ndraws;
}

const char *rules_prize_group_name(const prize_settings_t *s, int g)
{
    if (s->full_marks)
        return g == 0 ? s->fm.name : "";
    if (g >= 0 && g < s->ntiers)
        return s->tiers[g].name;
    if (g >= s->ntiers && g < s->ntiers + s->ndraws)
        return s->draws[g - s->ntiers].name;
    return "";
}
