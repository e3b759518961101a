/* people_stream.c: the people boards and the name cache, written while
 * MariaDB is still sending the people (the rebuild's overlap of its read
 * with Redis's writes).
 *
 * Each person goes into a small buffer per board they are on (national,
 * province, city, county, unit) and into the name cache's buffer; a full
 * buffer is handed to the sink at once, so Redis works while the read goes
 * on, and what is held is bounded by the number of boards times a buffer,
 * not by the number of people. The rows come in the order of the scores'
 * index (k_scores_rank: score, then reached_at), so each buffer's members
 * land next to the ones before them in the board's skip list, as the
 * sorted writes of lb_model_emit do. */
#include "engines/boards/internal.h"
#include "rules/board_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NATIONAL_CHUNK 2000   /* people per ZADD of the national board */
#define GROUP_CHUNK 64        /* per ZADD of a province's, city's, county's or unit's board: small enough that little is left for after the read */
#define NAMES_CHUNK 2000      /* fields per HSET of the name cache */
#define KEY_MAX 96

typedef struct {
    double key;
    long long uid;
} member_t;

typedef struct {
    char key[KEY_MAX];      /* the board's full key */
    int dim;                /* 0 national .. 4 unit (rules_people_boards) */
    int started;            /* a part of it went to the sink */
    size_t n, cap;          /* members held; cap grows up to the chunk */
    member_t *m;
} group_t;

typedef struct {
    char uid[21];
    char val[21 + 1 + sizeof(((lb_person_t *)0)->masked)];
} name_t;

struct lb_people_stream {
    const lb_model_t *model;
    char prefix[64];
    size_t plen[5];         /* strlen of prefix + kind, for each kind */
    lb_sink_t *s;
    group_t *g;
    size_t ng, gcap;
    unsigned *slot;         /* open addressing: group index + 1, 0 = empty */
    size_t nslot;
    name_t *names;
    size_t nnames;
    char num[NATIONAL_CHUNK][21];   /* a flushed buffer's members as text */
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

static unsigned long hash_group(int dim, const char *code)
{
    unsigned long h = 1469598103934665603ul ^ (unsigned long)dim;   /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)code; *c; c++)
        h = (h ^ *c) * 1099511628211ul;
    return h;
}

/* The group's slot: the one holding (dim, code), or the empty one it goes in. */
static unsigned *find_slot(lb_people_stream_t *ps, int dim, const char *code)
{
    size_t mask = ps->nslot - 1, i = hash_group(dim, code) & mask;
    for (;; i = (i + 1) & mask) {
        unsigned *s = &ps->slot[i];
        if (!*s)
            return s;
        const group_t *g = &ps->g[*s - 1];
        if (g->dim == dim && strcmp(g->key + ps->plen[dim], code) == 0)
            return s;
    }
}

static void grow_slots(lb_people_stream_t *ps)
{
    free(ps->slot);
    ps->nslot = ps->nslot ? ps->nslot * 2 : 1024;
    ps->slot = xrealloc(NULL, sizeof *ps->slot * ps->nslot);
    memset(ps->slot, 0, sizeof *ps->slot * ps->nslot);
    for (size_t i = 0; i < ps->ng; i++) {
        const group_t *g = &ps->g[i];
        *find_slot(ps, g->dim, g->key + ps->plen[g->dim]) = (unsigned)i + 1;
    }
}

static group_t *group_of(lb_people_stream_t *ps, int dim, const char *code)
{
    unsigned *s = find_slot(ps, dim, code);
    if (*s)
        return &ps->g[*s - 1];
    if (ps->ng == ps->gcap) {
        ps->gcap = ps->gcap * 2 + 64;
        ps->g = xrealloc(ps->g, sizeof *ps->g * ps->gcap);
    }
    group_t *g = &ps->g[ps->ng];
    memset(g, 0, sizeof *g);
    g->dim = dim;
    snprintf(g->key, sizeof g->key, "%s%s%s", ps->prefix, rules_people_boards[dim], code);
    *s = (unsigned)++ps->ng;
    if (ps->ng * 2 > ps->nslot)
        grow_slots(ps);
    return g;
}

static size_t chunk_of(const group_t *g)
{
    return g->dim == 0 ? NATIONAL_CHUNK : GROUP_CHUNK;
}

static void uid_text(long long v, char out[21])
{
    char tmp[21];
    int n = 0;
    unsigned long long u = v < 0 ? 0 : (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int k = 0;
    while (n)
        out[k++] = tmp[--n];
    out[k] = 0;
}

static int flush_group(lb_people_stream_t *ps, group_t *g)
{
    if (!g->n)
        return 0;
    char (*num)[21] = ps->num;
    const char *mem[NATIONAL_CHUNK];
    double sc[NATIONAL_CHUNK];
    for (size_t i = 0; i < g->n; i++) {
        uid_text(g->m[i].uid, num[i]);
        mem[i] = num[i];
        sc[i] = g->m[i].key;
    }
    int rc = ps->s->zset(ps->s, g->key, !g->started, g->n, mem, sc);
    g->started = 1;
    g->n = 0;
    return rc;
}

static int add_member(lb_people_stream_t *ps, int dim, const char *code, const lb_person_t *p)
{
    group_t *g = group_of(ps, dim, code);
    if (g->n == g->cap) {
        size_t c = chunk_of(g);
        g->cap = g->cap * 4 + 16 < c ? g->cap * 4 + 16 : c;
        g->m = xrealloc(g->m, sizeof *g->m * g->cap);
    }
    g->m[g->n++] = (member_t){ p->key, p->uid };
    return g->n == chunk_of(g) ? flush_group(ps, g) : 0;
}

static int flush_names(lb_people_stream_t *ps)
{
    if (!ps->nnames)
        return 0;
    const char *f[NAMES_CHUNK], *v[NAMES_CHUNK];
    for (size_t i = 0; i < ps->nnames; i++) {
        f[i] = ps->names[i].uid;
        v[i] = ps->names[i].val;
    }
    char key[KEY_MAX];
    snprintf(key, sizeof key, "%snm", ps->prefix);
    int rc = ps->s->hash(ps->s, key, ps->nnames, f, v);
    ps->nnames = 0;
    return rc;
}

lb_people_stream_t *lb_people_stream_new(const char *prefix, lb_sink_t *s)
{
    lb_people_stream_t *ps = xrealloc(NULL, sizeof *ps);
    memset(ps, 0, sizeof *ps);
    snprintf(ps->prefix, sizeof ps->prefix, "%s", prefix);
    for (int dim = 0; dim < 5; dim++)
        ps->plen[dim] = strlen(ps->prefix) + strlen(rules_people_boards[dim]);
    ps->s = s;
    ps->names = xrealloc(NULL, sizeof *ps->names * NAMES_CHUNK);
    grow_slots(ps);
    return ps;
}

/* One person: onto every board they are on (as lb_model_emit puts them)
 * and into the name cache ("<unit id>\x1f<masked name>"). */
int lb_people_add(lb_people_stream_t *ps, const lb_model_t *m, const lb_person_t *p)
{
    char unit[21] = "";
    if (p->unit >= 0)
        uid_text(m->u[p->unit].id, unit);
    const char *codes[5] = { "", p->pp, p->pc, p->px, unit };
    for (int dim = 0; dim < 5; dim++) {
        if (dim > 0 && !*codes[dim])
            continue;
        int rc = add_member(ps, dim, codes[dim], p);
        if (rc < 0)
            return rc;
    }
    name_t *nm = &ps->names[ps->nnames++];
    uid_text(p->uid, nm->uid);
    /* (by hand, not snprintf: once a person) */
    const char *u = *unit ? unit : "0";
    size_t ul = strlen(u), ml = strnlen(p->masked, sizeof p->masked - 1);
    memcpy(nm->val, u, ul);
    nm->val[ul] = '\x1f';
    memcpy(nm->val + ul + 1, p->masked, ml);
    nm->val[ul + 1 + ml] = 0;
    return ps->nnames == NAMES_CHUNK ? flush_names(ps) : 0;
}

/* Hand over what the buffers still hold. */
int lb_people_flush(lb_people_stream_t *ps)
{
    int rc = flush_names(ps);
    for (size_t i = 0; i < ps->ng && rc >= 0; i++)
        rc = flush_group(ps, &ps->g[i]);
    return rc;
}

void lb_people_stream_free(lb_people_stream_t *ps)
{
    if (!ps)
        return;
    for (size_t i = 0; i < ps->ng; i++)
        free(ps->g[i].m);
    free(ps->g);
    free(ps->slot);
    free(ps->names);
    free(ps);
}
