/* test_question_row.c: header mapping, row checks and normalisation, the
 * fingerprint, and the seed bank schema/seed/questions.csv end to end
 * (through lib/csv.c). Run from the repository root. */
#include "tests/unit/check.h"
#include "rules/question_row.h"
#include "lib/csv.h"

#include <stdlib.h>

static const char *const EN_HEADER[] = {
    "type", "category", "stem", "A", "B", "C", "D", "E", "F", "answer", "explanation"
};

static question_header_t en_header(void)
{
    question_header_t h;
    char reason[QROW_REASON_MAX];
    int rc = question_header_parse(&h, EN_HEADER, 11, reason);
    if (rc != 0) fprintf(stderr, "  header: %s\n", reason);
    return h;
}

/* Parse one row in the English layout. */
static int row(question_row_t *q, char *reason, const char *type, const char *stem,
               const char *a, const char *b, const char *c, const char *d,
               const char *answer)
{
    question_header_t h = en_header();
    const char *f[11] = { type, "安全生产法", stem, a, b, c, d, "", "", answer, "解析" };
    return question_row_parse(&h, f, 11, q, reason);
}

static question_row_t q;          /* large: keep it off the stack */
static char reason[QROW_REASON_MAX];

TEST(header_english_and_order)
{
    question_header_t h;
    const char *f[] = { "序号", "answer", "Stem", "TYPE", "category", "A", "B", "explanation" };
    CHECK_INT(question_header_parse(&h, f, 8, reason), 0);
    CHECK_INT(h.col[QCOL_ANSWER], 1);
    CHECK_INT(h.col[QCOL_STEM], 2);
    CHECK_INT(h.col[QCOL_TYPE], 3);
    CHECK_INT(h.col[QCOL_A], 5);
    CHECK_INT(h.col[QCOL_C], -1);        /* absent option columns are empty */
    CHECK_INT(h.col[QCOL_EXPLANATION], 7);

    const char *row_f[] = { "1", "b", "题干", "single", "分类", "甲", "乙", "" };
    CHECK_INT(question_row_parse(&h, row_f, 8, &q, reason), 0);
    CHECK_STR(q.answer, "B");
    CHECK_INT(q.noptions, 2);
}

TEST(header_chinese_aliases)
{
    question_header_t h;
    const char *f1[] = { "题型", "分类", "题干", "选项A", "选项B", "选项C", "选项D",
                         "选项E", "选项F", "答案", "解析" };
    CHECK_INT(question_header_parse(&h, f1, 11, reason), 0);
    for (int c = 0; c < QCOL_COUNT; c++) CHECK_INT(h.col[c], c);

    /* Bare letters, annotations people add, and other Chinese names. */
    const char *f2[] = { " 题型（单选/多选/判断） ", "类别", "题目", "A", "b", "选项 C",
                         "正确答案*", "答案解析", "难度" };
    CHECK_INT(question_header_parse(&h, f2, 9, reason), 0);
    CHECK_INT(h.col[QCOL_TYPE], 0);
    CHECK_INT(h.col[QCOL_CATEGORY], 1);
    CHECK_INT(h.col[QCOL_STEM], 2);
    CHECK_INT(h.col[QCOL_A], 3);
    CHECK_INT(h.col[QCOL_B], 4);
    CHECK_INT(h.col[QCOL_C], 5);
    CHECK_INT(h.col[QCOL_ANSWER], 6);
    CHECK_INT(h.col[QCOL_EXPLANATION], 7);

    const char *r[] = { "多选题", "公共安全", "下列哪些做法正确？", "甲", "乙", "丙", "ca", "", "5" };
    CHECK_INT(question_row_parse(&h, r, 9, &q, reason), 0);
    CHECK_INT(q.type, QTYPE_MULTIPLE);
    CHECK_STR(q.answer, "AC");
    CHECK_STR(q.explanation, "");
}

TEST(header_errors)
{
    question_header_t h;
    const char *missing[] = { "type", "category", "A", "B", "answer" };
    CHECK_INT(question_header_parse(&h, missing, 5, reason), -1);
    CHECK(strstr(reason, "stem") != NULL);

    const char *twice[] = { "type", "category", "stem", "题干", "answer" };
    CHECK_INT(question_header_parse(&h, twice, 5, reason), -1);
    CHECK(strstr(reason, "twice") != NULL);

    const char *no_answer[] = { "题型", "分类", "题干", "A", "B" };
    CHECK_INT(question_header_parse(&h, no_answer, 5, reason), -1);
    CHECK(strstr(reason, "answer") != NULL);
}

TEST(single_ok_and_trimmed)
{
    CHECK_INT(row(&q, reason, " single ", "  安全生产工作应当坚持什么方针？\u3000",
                  " 安全第一、预防为主、综合治理 ", "效益优先", "先生产后安全", "", "a"), 0);
    CHECK_INT(q.type, QTYPE_SINGLE);
    CHECK_STR(q.stem, "安全生产工作应当坚持什么方针？");
    CHECK_STR(q.options[0], "安全第一、预防为主、综合治理");
    CHECK_INT(q.noptions, 3);
    CHECK_STR(q.answer, "A");
    CHECK_STR(q.category, "安全生产法");
    CHECK_STR(q.explanation, "解析");

    CHECK_INT(row(&q, reason, "单选", "题", "甲", "乙", "丙", "丁", "Ｄ"), 0);  /* full-width */
    CHECK_STR(q.answer, "D");
    CHECK_INT(row(&q, reason, "单项选择题", "题", "甲", "乙", "", "", "B"), 0);
    CHECK_INT(q.noptions, 2);

    /* Six options are the most; the answer may be F. */
    question_header_t h = en_header();
    const char *f[11] = { "single", "分类", "题", "1", "2", "3", "4", "5", "6", "f", "" };
    CHECK_INT(question_row_parse(&h, f, 11, &q, reason), 0);
    CHECK_INT(q.noptions, 6);
    CHECK_STR(q.answer, "F");
}

TEST(wrong_answer_letters)
{
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "丙", "丁", "E"), -1);
    CHECK(strstr(reason, "answer letter E has no option") != NULL);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "", "", "C"), -1);
    CHECK(strstr(reason, "letter C") != NULL);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "丙", "丁", "AB"), -1);
    CHECK(strstr(reason, "one letter") != NULL);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "丙", "丁", ""), -1);
    CHECK(strstr(reason, "empty") != NULL);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "丙", "丁", "1"), -1);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "丙", "丁", "对"), -1);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "丙", "丁", "Z"), -1);
    CHECK(strstr(reason, "letter Z") != NULL);
}

TEST(option_gaps_and_counts)
{
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "", "丁", "A"), -1);
    CHECK(strstr(reason, "option C is empty") != NULL);
    CHECK_INT(row(&q, reason, "single", "题", "", "乙", "丙", "", "B"), -1);
    CHECK(strstr(reason, "option A is empty") != NULL);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "", "", "", "A"), -1);
    CHECK(strstr(reason, "at least 2 options") != NULL);
    CHECK_INT(row(&q, reason, "multiple", "题", "", "", "", "", "AB"), -1);
    CHECK(strstr(reason, "at least 2 options") != NULL);
    CHECK_INT(row(&q, reason, "single", "题", "甲", "乙", "甲", "", "A"), -1);
    CHECK(strstr(reason, "options A and C are the same") != NULL);
    /* White space only counts as empty. */
    CHECK_INT(row(&q, reason, "single", "题", "甲", " ", "丙", "", "A"), -1);
    CHECK(strstr(reason, "option B is empty") != NULL);
}

TEST(multiple_normalisation)
{
    CHECK_INT(row(&q, reason, "multiple", "题", "甲", "乙", "丙", "丁", "CA"), 0);
    CHECK_STR(q.answer, "AC");
    CHECK_INT(row(&q, reason, "multiple", "题", "甲", "乙", "丙", "丁", "c,a"), 0);
    CHECK_STR(q.answer, "AC");
    CHECK_INT(row(&q, reason, "multiple", "题", "甲", "乙", "丙", "丁", " A C "), 0);
    CHECK_STR(q.answer, "AC");
    CHECK_INT(row(&q, reason, "多选", "题", "甲", "乙", "丙", "丁", "D、B，A；C"), 0);
    CHECK_STR(q.answer, "ABCD");
    CHECK_INT(row(&q, reason, "多项选择题", "题", "甲", "乙", "丙", "丁", "ｂｄ"), 0);
    CHECK_STR(q.answer, "BD");

    CHECK_INT(row(&q, reason, "multiple", "题", "甲", "乙", "丙", "丁", "A"), -1);
    CHECK(strstr(reason, "two or more") != NULL);
    CHECK_INT(row(&q, reason, "multiple", "题", "甲", "乙", "丙", "丁", "AAC"), -1);
    CHECK(strstr(reason, "appears twice") != NULL);
    CHECK_INT(row(&q, reason, "multiple", "题", "甲", "乙", "丙", "", "AD"), -1);
    CHECK(strstr(reason, "answer letter D has no option") != NULL);
    CHECK_INT(row(&q, reason, "multiple", "题", "甲", "乙", "丙", "丁", "A+B"), -1);
}

TEST(judge_variants)
{
    static const char *const yes[] = { "对", "正确", "T", "t", "true", "TRUE", "√", "✓", "A", "a", " 对 " };
    static const char *const no[] = { "错", "错误", "F", "false", "×", "✗", "B", "b" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        CHECK_INT(row(&q, reason, "judge", "题", "", "", "", "", yes[i]), 0);
        CHECK_STR(q.answer, "A");
        CHECK_INT(q.noptions, 0);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        CHECK_INT(row(&q, reason, "判断", "题", "", "", "", "", no[i]), 0);
        CHECK_STR(q.answer, "B");
    }
    CHECK_INT(row(&q, reason, "判断题", "题", "", "", "", "", "是"), -1);
    CHECK(strstr(reason, "judge answer") != NULL);
    CHECK_INT(row(&q, reason, "judge", "题", "", "", "", "", "C"), -1);
    CHECK_INT(row(&q, reason, "judge", "题", "", "", "", "", ""), -1);

    /* Options 对/错 are accepted and dropped; anything else is refused. */
    CHECK_INT(row(&q, reason, "judge", "题", "对", "错", "", "", "错"), 0);
    CHECK_INT(q.noptions, 0);
    CHECK_STR(q.answer, "B");
    CHECK_INT(row(&q, reason, "judge", "题", "正确", "错误", "", "", "A"), 0);
    CHECK_INT(row(&q, reason, "judge", "题", "错", "对", "", "", "A"), -1);
    CHECK(strstr(reason, "judge question takes no options") != NULL);
    CHECK_INT(row(&q, reason, "judge", "题", "对", "错", "不确定", "", "A"), -1);
    CHECK_INT(row(&q, reason, "judge", "题", "T", "F", "", "", "A"), -1);
    CHECK_INT(row(&q, reason, "judge", "题", "是", "否", "", "", "A"), -1);
}

TEST(type_category_stem_explanation)
{
    CHECK_INT(row(&q, reason, "essay", "题", "甲", "乙", "", "", "A"), -1);
    CHECK(strstr(reason, "unknown type") != NULL);
    CHECK_INT(row(&q, reason, "", "题", "甲", "乙", "", "", "A"), -1);
    CHECK(strstr(reason, "type is empty") != NULL);

    CHECK_INT(row(&q, reason, "single", "", "甲", "乙", "", "", "A"), -1);
    CHECK(strstr(reason, "stem is empty") != NULL);
    CHECK_INT(row(&q, reason, "single", " \u3000 ", "甲", "乙", "", "", "A"), -1);
    CHECK(strstr(reason, "stem is empty") != NULL);

    char stem[1100];
    memset(stem, 'x', 1000); stem[1000] = '\0';
    CHECK_INT(row(&q, reason, "single", stem, "甲", "乙", "", "", "A"), 0);
    CHECK_INT(strlen(q.stem), 1000);
    memset(stem, 'x', 1001); stem[1001] = '\0';
    CHECK_INT(row(&q, reason, "single", stem, "甲", "乙", "", "", "A"), -1);
    CHECK(strstr(reason, "stem longer") != NULL);

    /* A stem may hold line breaks (a cell with Alt+Enter). */
    CHECK_INT(row(&q, reason, "judge", "第一行\n第二行", "", "", "", "", "对"), 0);
    CHECK_STR(q.stem, "第一行\n第二行");

    question_header_t h = en_header();
    const char *f[11] = { "judge", "", "题", "", "", "", "", "", "", "对", "" };
    CHECK_INT(question_row_parse(&h, f, 11, &q, reason), -1);
    CHECK(strstr(reason, "category is empty") != NULL);

    char cat[200] = "";
    for (int i = 0; i < 32; i++) strcat(cat, "安");
    f[1] = cat;
    CHECK_INT(question_row_parse(&h, f, 11, &q, reason), 0);   /* 32 characters, 96 bytes */
    strcat(cat, "全");
    CHECK_INT(question_row_parse(&h, f, 11, &q, reason), -1);
    CHECK(strstr(reason, "category longer") != NULL);

    f[1] = "分类";
    static char expl[2100];
    memset(expl, 'e', 2000); expl[2000] = '\0';
    f[10] = expl;
    CHECK_INT(question_row_parse(&h, f, 11, &q, reason), 0);
    expl[2000] = 'e'; expl[2001] = '\0';
    CHECK_INT(question_row_parse(&h, f, 11, &q, reason), -1);
    CHECK(strstr(reason, "explanation longer") != NULL);
}

TEST(blank_short_long_and_bad_text)
{
    question_header_t h = en_header();
    const char *blank[11] = { "", " ", "", "\u3000", "", "", "", "", "", "", "" };
    CHECK_INT(question_row_parse(&h, blank, 11, &q, reason), 1);

    /* Fewer fields than the header: the rest are empty. */
    const char *shorter[] = { "single", "分类", "题", "甲", "乙" };
    CHECK_INT(question_row_parse(&h, shorter, 5, &q, reason), -1);
    CHECK(strstr(reason, "answer is empty") != NULL);

    /* An unquoted comma in the stem pushes text past the header. */
    const char *longer[12] = { "single", "分类", "题", "甲", "乙", "", "", "", "", "A", "", "多出" };
    CHECK_INT(question_row_parse(&h, longer, 12, &q, reason), -1);
    CHECK(strstr(reason, "more fields") != NULL);
    longer[11] = "";
    CHECK_INT(question_row_parse(&h, longer, 12, &q, reason), 0);

    CHECK_INT(row(&q, reason, "single", "\xB0\xB2\xC8\xAB", "甲", "乙", "", "", "A"), -1);
    CHECK(strstr(reason, "invalid characters") != NULL);
    CHECK_INT(row(&q, reason, "single", "题\x01", "甲", "乙", "", "", "A"), -1);
    CHECK_INT(row(&q, reason, "single", "题", "甲\xED\xA0\x80", "乙", "", "", "A"), -1);
}

TEST(fingerprint)
{
    char a[65], b[65];
    CHECK_INT(row(&q, reason, "single", "安全生产工作应当坚持什么方针？", "甲", "乙", "", "", "A"), 0);
    question_fingerprint(&q, a);
    CHECK_STR(a, "1d5abed7e593e9cc51186f21280b8153cbd8adb528b091ae73ad4082bf4273fd");

    /* Options, answer and category do not move it. */
    CHECK_INT(row(&q, reason, "single", "安全生产工作应当坚持什么方针？", "丙", "丁", "戊", "", "C"), 0);
    question_fingerprint(&q, b);
    CHECK_STR(b, a);
    /* The type does. */
    CHECK_INT(row(&q, reason, "multiple", "安全生产工作应当坚持什么方针？", "丙", "丁", "戊", "", "AC"), 0);
    question_fingerprint(&q, b);
    CHECK(strcmp(a, b) != 0);

    /* White space runs, of any kind, are one space. */
    CHECK_INT(row(&q, reason, "judge", "a  b\n\t c", "", "", "", "", "对"), 0);
    question_fingerprint(&q, a);
    CHECK_STR(a, "f4141ee2590f8fdf218eabc88de16e9da1107953003dabd5caf0fc9582fae433");
    CHECK_INT(row(&q, reason, "judge", "a\u3000b\xC2\xA0" "c", "", "", "", "", "错"), 0);
    question_fingerprint(&q, b);
    CHECK_STR(b, a);
}

/* ---- the seed bank ------------------------------------------------------ */

#define SEED_PATH "schema/seed/questions.csv"
#define MAX_Q 1000
#define MAX_CAT 32

typedef struct {
    question_header_t h;
    int have_header, header_line, valid, rejected, blank;
    int by_type[4];
    char cats[MAX_CAT][QROW_CATEGORY_CHARS * 4 + 1];
    int cat_count[MAX_CAT], ncats;
    char (*fps)[65];
    int dup_fp;
} bank_t;

static int bank_row(void *ctx, size_t line_no, const char *const *fields,
                    size_t nfields, unsigned errors)
{
    bank_t *b = ctx;
    char why[QROW_REASON_MAX];
    if (errors) {
        fprintf(stderr, "  %s:%zu: %s\n", SEED_PATH, line_no, csv_strerror(errors));
        b->rejected++;
        return 0;
    }
    if (!b->have_header) {
        b->have_header = 1;
        b->header_line = (int)line_no;
        if (question_header_parse(&b->h, fields, nfields, why) != 0) {
            fprintf(stderr, "  %s: header: %s\n", SEED_PATH, why);
            b->rejected++;
        }
        return 0;
    }
    int rc = question_row_parse(&b->h, fields, nfields, &q, why);
    if (rc == 1) { b->blank++; return 0; }
    if (rc < 0) {
        fprintf(stderr, "  %s:%zu: %s\n", SEED_PATH, line_no, why);
        b->rejected++;
        return 0;
    }
    if (b->valid < MAX_Q) {
        question_fingerprint(&q, b->fps[b->valid]);
        for (int i = 0; i < b->valid; i++)
            if (strcmp(b->fps[i], b->fps[b->valid]) == 0) {
                fprintf(stderr, "  %s:%zu: same type and stem as an earlier row\n", SEED_PATH, line_no);
                b->dup_fp++;
            }
    }
    b->valid++;
    b->by_type[q.type]++;
    int k;
    for (k = 0; k < b->ncats; k++)
        if (strcmp(b->cats[k], q.category) == 0) break;
    if (k == b->ncats && b->ncats < MAX_CAT) strcpy(b->cats[b->ncats++], q.category);
    if (k < MAX_CAT) b->cat_count[k]++;
    return 0;
}

TEST(seed_bank_loads_clean)
{
    FILE *fp = fopen(SEED_PATH, "rb");
    CHECK(fp != NULL);
    if (!fp) return;
    static char data[2 * 1024 * 1024];
    size_t len = fread(data, 1, sizeof data, fp);
    fclose(fp);
    CHECK(len > 0 && len < sizeof data);

    /* Saved as Excel does: BOM and CRLF. */
    CHECK(len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0);
    CHECK(strstr(data + 3, "\r\n") != NULL);
    static const char hdr[] = "type,category,stem,A,B,C,D,E,F,answer,explanation\r\n";
    CHECK(memcmp(data + 3, hdr, sizeof hdr - 1) == 0);

    static bank_t b;
    memset(&b, 0, sizeof b);
    b.fps = calloc(MAX_Q, sizeof *b.fps);
    int n = csv_parse(data, len, NULL, bank_row, &b);
    CHECK(n > 150);
    CHECK_INT(b.header_line, 1);
    CHECK_INT(b.rejected, 0);
    CHECK_INT(b.dup_fp, 0);
    CHECK(b.valid >= 150);
    CHECK(b.by_type[QTYPE_SINGLE] >= 80);
    CHECK(b.by_type[QTYPE_MULTIPLE] >= 25);
    CHECK(b.by_type[QTYPE_JUDGE] >= 25);
    CHECK(b.ncats >= 6 && b.ncats <= 10);
    for (int k = 0; k < b.ncats; k++) {
        if (b.cat_count[k] < 10) fprintf(stderr, "  category %s has %d\n", b.cats[k], b.cat_count[k]);
        CHECK(b.cat_count[k] >= 10);
    }
    if (getenv("SEED_STATS")) {
        printf("seed: %d valid (single %d, multiple %d, judge %d)\n", b.valid,
               b.by_type[QTYPE_SINGLE], b.by_type[QTYPE_MULTIPLE], b.by_type[QTYPE_JUDGE]);
        for (int k = 0; k < b.ncats; k++) printf("  %s %d\n", b.cats[k], b.cat_count[k]);
    }
    free(b.fps);
}

int main(void)
{
    RUN(header_english_and_order);
    RUN(header_chinese_aliases);
    RUN(header_errors);
    RUN(single_ok_and_trimmed);
    RUN(wrong_answer_letters);
    RUN(option_gaps_and_counts);
    RUN(multiple_normalisation);
    RUN(judge_variants);
    RUN(type_category_stem_explanation);
    RUN(blank_short_long_and_bad_text);
    RUN(fingerprint);
    RUN(seed_bank_loads_clean);
    return check_summary();
}
