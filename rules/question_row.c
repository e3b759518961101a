/* question_row.c: see question_row.h for the rules.
 *
 * Everything here reads NUL-terminated fields that came from an upload, so
 * every copy is length-checked before it is made and every text is checked
 * for UTF-8 here (locally: this file does not depend on lib/utf8). */
#include "rules/question_row.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

/* ---- small UTF-8 helpers ------------------------------------------------ */

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF) with
 * no C0 control other than those allowed: tab always, line feed only when
 * allow_lf. DEL is refused too. Returns 1 when the text passes. */
static int qr_text_ok(const char *str, int allow_lf)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (s[i]) {
        unsigned c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && !(c == '\n' && allow_lf)) || c == 0x7F) return 0;
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c == 0xE0) { need = 2; lo = 0xA0; }
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 2;
        else if (c == 0xED) { need = 2; hi = 0x9F; }
        else if (c == 0xF0) { need = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) need = 3;
        else if (c == 0xF4) { need = 3; hi = 0x8F; }
        else return 0;
        /* A NUL inside the sequence fails the range checks, so this never
         * reads past the terminator. */
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += need + 1;
    }
    return 1;
}

/* Code points in valid UTF-8. */
static size_t qr_chars(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
    return count;
}

/* Length in bytes of the white space character at s (ASCII white space,
 * U+00A0, U+3000), 0 when s does not start with one. */
static size_t qr_space_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0) return 2;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) return 3;
    return 0;
}

/* The trimmed span of s: *start and the returned length. */
static size_t qr_trim(const char *s, const char **start)
{
    size_t k;
    while ((k = qr_space_len(s)) > 0) s += k;
    size_t n = strlen(s);
    /* Walk forward so multi-byte spaces are recognised at their start. */
    size_t i = 0, last_non_space = 0;
    while (i < n) {
        k = qr_space_len(s + i);
        if (k) { i += k; continue; }
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        last_non_space = i;
    }
    *start = s;
    return last_non_space;
}

/* Copy the trimmed s into dst (cap bytes including the NUL). Returns the
 * length, or -1 when it does not fit (dst is then ""). */
static int qr_copy_trimmed(char *dst, size_t cap, const char *s)
{
    const char *p;
    size_t n = qr_trim(s, &p);
    if (n + 1 > cap) { dst[0] = '\0'; return -1; }
    memcpy(dst, p, n);
    dst[n] = '\0';
    return (int)n;
}

static int qr_ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* s (already trimmed) equals one of the NULL-terminated words, ignoring
 * ASCII case. */
static int qr_is_one_of(const char *s, const char *const *words)
{
    for (; *words; words++) {
        const char *a = s, *b = *words;
        while (*a && *b && qr_ascii_lower((unsigned char)*a) == qr_ascii_lower((unsigned char)*b)) {
            a++; b++;
        }
        if (!*a && !*b) return 1;
    }
    return 0;
}

/* ---- header ------------------------------------------------------------- */

static const char *const qr_col_en[QCOL_COUNT] = {
    "type", "category", "stem", "A", "B", "C", "D", "E", "F", "answer", "explanation"
};
static const char *const qr_col_zh[QCOL_COUNT] = {
    "题型", "分类", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析"
};

/* Aliases, compared after qr_header_key() (lower case, no spaces, '_' or '-',
 * no trailing '*', nothing from the first bracket on). */
static const char *const qr_alias_type[] = { "type", "题型", "类型", "题目类型", "试题类型", NULL };
static const char *const qr_alias_category[] = { "category", "分类", "类别", "题目分类", "知识分类", NULL };
static const char *const qr_alias_stem[] = { "stem", "question", "题干", "题目", "题目内容", "试题内容", NULL };
static const char *const qr_alias_answer[] = { "answer", "答案", "正确答案", "标准答案", "参考答案", NULL };
static const char *const qr_alias_expl[] = { "explanation", "analysis", "解析", "答案解析", "试题解析", NULL };

/* Normalise a header cell into key (cap bytes). Header cells people type
 * look like "题型（单选/多选/判断）", "答案*" or "Option_A". */
static void qr_header_key(const char *cell, char *key, size_t cap)
{
    const char *p;
    size_t n = qr_trim(cell, &p), o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '(' || c == '[') break;
        if (c == 0xEF && i + 2 < n && (unsigned char)p[i + 1] == 0xBC &&
            (unsigned char)p[i + 2] == 0x88) break;           /* （ U+FF08 */
        if (c == 0xE3 && i + 2 < n && (unsigned char)p[i + 1] == 0x80 &&
            (unsigned char)p[i + 2] == 0x90) break;           /* 【 U+3010 */
        if (c == ' ' || c == '_' || c == '-' || c == '\t') continue;
        key[o++] = (char)qr_ascii_lower(c);
    }
    while (o > 0 && key[o - 1] == '*') o--;
    /* A multi-byte character cut by cap would fail every comparison anyway. */
    key[o] = '\0';
}

static int qr_header_column(const char *key)
{
    if (qr_is_one_of(key, qr_alias_type)) return QCOL_TYPE;
    if (qr_is_one_of(key, qr_alias_category)) return QCOL_CATEGORY;
    if (qr_is_one_of(key, qr_alias_stem)) return QCOL_STEM;
    if (qr_is_one_of(key, qr_alias_answer)) return QCOL_ANSWER;
    if (qr_is_one_of(key, qr_alias_expl)) return QCOL_EXPLANATION;

    /* Options: "a", "optiona", "option a", "选项a", "选项A". */
    const char *letter = NULL;
    if (key[0] && !key[1]) letter = key;
    else if (strncmp(key, "option", 6) == 0 && key[6] && !key[7]) letter = key + 6;
    else if (strncmp(key, "选项", strlen("选项")) == 0) {
        const char *l = key + strlen("选项");
        if (l[0] && !l[1]) letter = l;
    }
    if (letter && *letter >= 'a' && *letter <= 'f') return QCOL_A + (*letter - 'a');
    return -1;
}

int question_header_parse(question_header_t *h, const char *const *fields,
                          size_t nfields, char reason[QROW_REASON_MAX])
{
    for (int c = 0; c < QCOL_COUNT; c++) h->col[c] = -1;
    h->nfields = nfields;
    reason[0] = '\0';

    for (size_t i = 0; i < nfields; i++) {
        char key[64];
        qr_header_key(fields[i] ? fields[i] : "", key, sizeof key);
        int c = qr_header_column(key);
        if (c < 0) continue;                  /* 序号, 难度 ...: not ours */
        if (h->col[c] >= 0) {
            snprintf(reason, QROW_REASON_MAX, "column %s appears twice (列重复：%s)",
                     qr_col_en[c], qr_col_zh[c]);
            return -1;
        }
        h->col[c] = (int)i;
    }
    static const int required[] = { QCOL_TYPE, QCOL_CATEGORY, QCOL_STEM, QCOL_ANSWER };
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        int c = required[k];
        if (h->col[c] < 0) {
            snprintf(reason, QROW_REASON_MAX, "missing column %s (缺少列：%s)",
                     qr_col_en[c], qr_col_zh[c]);
            return -1;
        }
    }
    return 0;
}

/* ---- rows --------------------------------------------------------------- */

static const char *const qr_type_single[] = { "single", "单选", "单选题", "单项选择", "单项选择题", NULL };
static const char *const qr_type_multiple[] = { "multiple", "多选", "多选题", "多项选择", "多项选择题", NULL };
static const char *const qr_type_judge[] = { "judge", "判断", "判断题", NULL };

/* Judge answers; the option texts accepted for a judge question are the
 * same lists less the letters. */
static const char *const qr_true_words[] = { "对", "正确", "√", "✓", "✔", "t", "true", NULL };
static const char *const qr_false_words[] = { "错", "错误", "×", "✗", "✘", "f", "false", NULL };

const char *question_type_name(question_type_t t)
{
    switch (t) {
    case QTYPE_SINGLE: return "single";
    case QTYPE_MULTIPLE: return "multiple";
    case QTYPE_JUDGE: return "judge";
    }
    return "";
}

static const char *qr_field(const question_header_t *h, const char *const *fields,
                            size_t nfields, int col)
{
    int i = h->col[col];
    if (i < 0 || (size_t)i >= nfields || !fields[i]) return "";
    return fields[i];
}

/* Length of an answer separator at s, 0 if none: , ; / space tab and the
 * full-width 、，； and U+3000. */
static size_t qr_answer_sep(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (*s == ',' || *s == ';' || *s == '/' || *s == ' ' || *s == '\t') return 1;
    if (s[0] == 0xE3 && s[1] == 0x80 && (s[2] == 0x81 || s[2] == 0x80)) return 3;  /* 、 U+3000 */
    if (s[0] == 0xEF && s[1] == 0xBC && (s[2] == 0x8C || s[2] == 0x9B)) return 3;  /* ， ； */
    return 0;
}

/* Parse a choice answer into a sorted letter string. Returns 0, or -1 with
 * the reason filled. */
static int qr_parse_choices(const char *ans, question_type_t type, int noptions,
                            char out[QROW_MAX_OPTIONS + 1], char *reason)
{
    int seen[26] = { 0 }, count = 0;
    const unsigned char *s = (const unsigned char *)ans;
    while (*s) {
        size_t k = qr_answer_sep((const char *)s);
        if (k) { s += k; continue; }
        int letter = -1;
        if (*s >= 'A' && *s <= 'Z') { letter = *s - 'A'; s++; }
        else if (*s >= 'a' && *s <= 'z') { letter = *s - 'a'; s++; }
        else if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0xA1 && s[2] <= 0xBA) {
            letter = s[2] - 0xA1; s += 3;                       /* Ａ..Ｚ */
        } else if (s[0] == 0xEF && s[1] == 0xBD && s[2] >= 0x81 && s[2] <= 0x9A) {
            letter = s[2] - 0x81; s += 3;                       /* ａ..ｚ */
        } else {
            snprintf(reason, QROW_REASON_MAX,
                     "answer may only hold option letters (答案只能是选项字母)");
            return -1;
        }
        if (letter >= noptions) {
            snprintf(reason, QROW_REASON_MAX, "answer letter %c has no option (答案%c没有对应选项)",
                     'A' + letter, 'A' + letter);
            return -1;
        }
        if (seen[letter]) {
            snprintf(reason, QROW_REASON_MAX, "answer letter %c appears twice (答案字母%c重复)",
                     'A' + letter, 'A' + letter);
            return -1;
        }
        seen[letter] = 1;
        count++;
    }
    if (count == 0) {
        snprintf(reason, QROW_REASON_MAX, "answer is empty (答案为空)");
        return -1;
    }
    if (type == QTYPE_SINGLE && count != 1) {
        snprintf(reason, QROW_REASON_MAX,
                 "single-choice answer must be one letter (单选题答案只能有一个)");
        return -1;
    }
    if (type == QTYPE_MULTIPLE && count < 2) {
        snprintf(reason, QROW_REASON_MAX,
                 "multiple-choice answer needs two or more letters (多选题答案至少两个)");
        return -1;
    }
    int o = 0;
    for (int l = 0; l < noptions; l++)
        if (seen[l]) out[o++] = (char)('A' + l);
    out[o] = '\0';
    return 0;
}

int question_row_parse(const question_header_t *h, const char *const *fields,
                       size_t nfields, question_row_t *q,
                       char reason[QROW_REASON_MAX])
{
    reason[0] = '\0';
    memset(q, 0, sizeof *q);

    int blank = 1;
    for (size_t i = 0; i < nfields && blank; i++) {
        const char *p;
        if (fields[i] && qr_trim(fields[i], &p) > 0) blank = 0;
    }
    if (blank) return 1;

    for (size_t i = h->nfields; i < nfields; i++) {
        const char *p;
        if (fields[i] && qr_trim(fields[i], &p) > 0) {
            snprintf(reason, QROW_REASON_MAX,
                     "more fields than the header; quote text with commas (列数多于表头)");
            return -1;
        }
    }

    /* Text checks first, so later steps only see clean UTF-8. */
    for (int c = 0; c < QCOL_COUNT; c++) {
        int allow_lf = c == QCOL_STEM || c == QCOL_EXPLANATION || (c >= QCOL_A && c <= QCOL_F);
        if (!qr_text_ok(qr_field(h, fields, nfields, c), allow_lf)) {
            snprintf(reason, QROW_REASON_MAX, "column %s has invalid characters (%s含有非法字符)",
                     qr_col_en[c], qr_col_zh[c]);
            return -1;
        }
    }

    /* type */
    const char *t;
    char tbuf[32];
    size_t tn = qr_trim(qr_field(h, fields, nfields, QCOL_TYPE), &t);
    if (tn >= sizeof tbuf) tn = sizeof tbuf - 1;   /* too long for any name: fails below */
    memcpy(tbuf, t, tn);
    tbuf[tn] = '\0';
    if (qr_is_one_of(tbuf, qr_type_single)) q->type = QTYPE_SINGLE;
    else if (qr_is_one_of(tbuf, qr_type_multiple)) q->type = QTYPE_MULTIPLE;
    else if (qr_is_one_of(tbuf, qr_type_judge)) q->type = QTYPE_JUDGE;
    else {
        snprintf(reason, QROW_REASON_MAX,
                 tn ? "unknown type, use single/multiple/judge (题型应为单选、多选或判断)"
                    : "type is empty (题型为空)");
        return -1;
    }

    /* category */
    int n = qr_copy_trimmed(q->category, sizeof q->category,
                            qr_field(h, fields, nfields, QCOL_CATEGORY));
    if (n == 0) {
        snprintf(reason, QROW_REASON_MAX, "category is empty (分类为空)");
        return -1;
    }
    if (n < 0 || qr_chars(q->category, (size_t)n) > QROW_CATEGORY_CHARS) {
        snprintf(reason, QROW_REASON_MAX, "category longer than %d characters (分类超过%d字)",
                 QROW_CATEGORY_CHARS, QROW_CATEGORY_CHARS);
        return -1;
    }

    /* stem */
    n = qr_copy_trimmed(q->stem, sizeof q->stem, qr_field(h, fields, nfields, QCOL_STEM));
    if (n == 0) {
        snprintf(reason, QROW_REASON_MAX, "stem is empty (题干为空)");
        return -1;
    }
    if (n < 0) {
        snprintf(reason, QROW_REASON_MAX, "stem longer than %d bytes (题干过长)", QROW_STEM_MAX);
        return -1;
    }

    /* options */
    const char *opt[QROW_MAX_OPTIONS];
    size_t optlen[QROW_MAX_OPTIONS];
    int last = 0;                             /* options up to the last filled one */
    for (int k = 0; k < QROW_MAX_OPTIONS; k++) {
        optlen[k] = qr_trim(qr_field(h, fields, nfields, QCOL_A + k), &opt[k]);
        if (optlen[k] > 0) last = k + 1;
    }

    if (q->type == QTYPE_JUDGE) {
        if (last > 0) {
            char a[QROW_OPTION_MAX + 1] = "", b[QROW_OPTION_MAX + 1] = "";
            int ok = last == 2 && optlen[0] <= QROW_OPTION_MAX && optlen[1] <= QROW_OPTION_MAX;
            if (ok) {
                memcpy(a, opt[0], optlen[0]); a[optlen[0]] = '\0';
                memcpy(b, opt[1], optlen[1]); b[optlen[1]] = '\0';
                ok = qr_is_one_of(a, qr_true_words) && qr_is_one_of(b, qr_false_words) &&
                     strlen(a) > 1 && strlen(b) > 1;   /* not the letters t/f */
            }
            if (!ok) {
                snprintf(reason, QROW_REASON_MAX,
                         "judge question takes no options, or A=对 B=错 (判断题选项应为空或A对B错)");
                return -1;
            }
        }
        q->noptions = 0;
    } else {
        for (int k = 0; k < last; k++) {
            if (optlen[k] == 0) {
                snprintf(reason, QROW_REASON_MAX,
                         "option %c is empty but a later option is given (选项%c为空，选项须从A起连续)",
                         'A' + k, 'A' + k);
                return -1;
            }
            if (optlen[k] > QROW_OPTION_MAX) {
                snprintf(reason, QROW_REASON_MAX, "option %c longer than %d bytes (选项%c过长)",
                         'A' + k, QROW_OPTION_MAX, 'A' + k);
                return -1;
            }
            for (int j = 0; j < k; j++) {
                if (optlen[j] == optlen[k] && memcmp(opt[j], opt[k], optlen[k]) == 0) {
                    snprintf(reason, QROW_REASON_MAX,
                             "options %c and %c are the same (选项%c与%c相同)",
                             'A' + j, 'A' + k, 'A' + j, 'A' + k);
                    return -1;
                }
            }
            memcpy(q->options[k], opt[k], optlen[k]);
            q->options[k][optlen[k]] = '\0';
        }
        if (last < 2) {
            snprintf(reason, QROW_REASON_MAX,
                     "needs at least 2 options, from A (至少需要A、B两个选项)");
            return -1;
        }
        q->noptions = last;
    }

    /* answer */
    const char *a;
    size_t an = qr_trim(qr_field(h, fields, nfields, QCOL_ANSWER), &a);
    char abuf[64];
    if (an >= sizeof abuf) {
        snprintf(reason, QROW_REASON_MAX, "answer too long (答案过长)");
        return -1;
    }
    memcpy(abuf, a, an);
    abuf[an] = '\0';
    if (q->type == QTYPE_JUDGE) {
        if (an == 0) {
            snprintf(reason, QROW_REASON_MAX, "answer is empty (答案为空)");
            return -1;
        }
        if (qr_is_one_of(abuf, qr_true_words) || qr_is_one_of(abuf, (const char *const[]){ "a", NULL }))
            strcpy(q->answer, "A");
        else if (qr_is_one_of(abuf, qr_false_words) || qr_is_one_of(abuf, (const char *const[]){ "b", NULL }))
            strcpy(q->answer, "B");
        else {
            snprintf(reason, QROW_REASON_MAX, "judge answer must be 对 or 错 (判断题答案应为对或错)");
            return -1;
        }
    } else if (qr_parse_choices(abuf, q->type, q->noptions, q->answer, reason) < 0) {
        return -1;
    }

    /* explanation */
    n = qr_copy_trimmed(q->explanation, sizeof q->explanation,
                        qr_field(h, fields, nfields, QCOL_EXPLANATION));
    if (n < 0) {
        snprintf(reason, QROW_REASON_MAX, "explanation longer than %d bytes (解析过长)",
                 QROW_EXPLANATION_MAX);
        return -1;
    }
    return 0;
}

/* ---- fingerprint -------------------------------------------------------- */

void question_fingerprint(const question_row_t *q, char out_hex[65])
{
    /* type name, 0x1F, stem with white space runs made one space. The stem
     * is at most QROW_STEM_MAX bytes and normalising never lengthens it. */
    unsigned char buf[16 + QROW_STEM_MAX + 1];
    size_t o = 0;
    const char *name = question_type_name(q->type);
    size_t nl = strlen(name);
    memcpy(buf, name, nl);
    o = nl;
    buf[o++] = 0x1F;

    const char *s = q->stem;
    size_t stem_len = strnlen(q->stem, sizeof q->stem);
    const char *end = s + stem_len;
    int pending_space = 0, any = 0;
    while (s < end) {
        size_t k = qr_space_len(s);
        if (k) { s += k; pending_space = any; continue; }
        if (pending_space) { buf[o++] = ' '; pending_space = 0; }
        buf[o++] = (unsigned char)*s++;
        any = 1;
    }

    unsigned char digest[32];
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    mbedtls_sha256(buf, o, digest, 0);
#else
    mbedtls_sha256_ret(buf, o, digest, 0);
#endif
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out_hex[2 * i] = hex[digest[i] >> 4];
        out_hex[2 * i + 1] = hex[digest[i] & 15];
    }
    out_hex[64] = '\0';
}
