/* question_row.h: one row of a question-bank CSV, checked and normalised.
 *
 * Pure functions, no I/O: the importer (POST /admin/questions/import) feeds
 * them the fields lib/csv.c hands out, and rejects a row with the reason
 * these return, together with the row's line number.
 *
 * File layout: a header row naming the columns, in any order,
 *     type, category, stem, A, B, C, D, E, F, answer, explanation
 * or their Chinese names (题型, 分类, 题干, 选项A..选项F, 答案, 解析; see
 * question_header_parse for every alias). type, category, stem and answer
 * are required; option columns and explanation may be left out; columns
 * with other names (序号, 难度 ...) are ignored.
 *
 * Row rules:
 *   type      single | multiple | judge, or 单选 / 多选 / 判断 (题 optional)
 *   category  non-empty, at most 32 characters
 *   stem      non-empty, at most 1000 bytes
 *   options   single and multiple: 2 to 6, filled from A with no gap, no two
 *             alike, each at most QROW_OPTION_MAX bytes; judge: none, or
 *             exactly A = 对 and B = 错 (then ignored)
 *   answer    single: one letter among the options; multiple: two or more
 *             distinct letters among the options, any case and order, with
 *             or without separators (, ; / space 、，；) -> sorted upper
 *             case ("c,a" -> "AC"); judge: 对/错, 正确/错误, T/F, true/false,
 *             √/×, ✓/✗, A/B -> "A" (对) or "B" (错)
 *   explanation optional, at most 2000 bytes
 * Every text field must be valid UTF-8 with no control characters other
 * than tab and line feed; leading and trailing white space (ASCII and the
 * ideographic space U+3000) is trimmed. */
#ifndef QUESTION_ROW_H
#define QUESTION_ROW_H

#include <stddef.h>

#define QROW_MAX_OPTIONS      6
#define QROW_CATEGORY_CHARS   32
#define QROW_STEM_MAX         1000
#define QROW_OPTION_MAX       500
#define QROW_EXPLANATION_MAX  2000
#define QROW_REASON_MAX       160

typedef enum {
    QTYPE_SINGLE = 1,
    QTYPE_MULTIPLE = 2,
    QTYPE_JUDGE = 3
} question_type_t;

/* Columns a header can name. */
enum {
    QCOL_TYPE, QCOL_CATEGORY, QCOL_STEM,
    QCOL_A, QCOL_B, QCOL_C, QCOL_D, QCOL_E, QCOL_F,
    QCOL_ANSWER, QCOL_EXPLANATION,
    QCOL_COUNT
};

typedef struct {
    int col[QCOL_COUNT];   /* field index of each column, -1 when absent */
    size_t nfields;        /* fields in the header row */
} question_header_t;

typedef struct {
    question_type_t type;
    char category[QROW_CATEGORY_CHARS * 4 + 1];
    char stem[QROW_STEM_MAX + 1];
    int noptions;          /* 2..6; 0 for judge, whose keys are A = 对, B = 错 */
    char options[QROW_MAX_OPTIONS][QROW_OPTION_MAX + 1];
    char answer[QROW_MAX_OPTIONS + 1];   /* "B", "ACD"; judge "A" or "B" */
    char explanation[QROW_EXPLANATION_MAX + 1];   /* "" when none */
} question_row_t;

/* Map a header row. Header cells are matched after trimming, ignoring ASCII
 * case, spaces, '_' and '-', a trailing '*' and anything from a bracket on
 * ("题型（单选/多选/判断）" is 题型). Aliases: type 题型 类型 题目类型
 * 试题类型; category 分类 类别 题目分类 知识分类; stem question 题干 题目
 * 题目内容 试题内容; A..F optionA..optionF 选项A..选项F; answer 答案
 * 正确答案 标准答案 参考答案; explanation analysis 解析 答案解析 试题解析.
 * Returns 0, or -1 with a reason in reason[] (the caller's buffer of
 * QROW_REASON_MAX bytes) for a missing required column or a column named
 * twice. */
int question_header_parse(question_header_t *h, const char *const *fields,
                          size_t nfields, char reason[QROW_REASON_MAX]);

/* Check and normalise one data row into *q.
 * Returns 0 for a good row, 1 for a blank row (every field empty or white
 * space: Excel writes those for formatted empty lines; skip it, it is not
 * an error), -1 for a rejected row with a reason in reason[]. *q is
 * meaningful only on 0. A row with fewer fields than the header has the
 * missing ones empty; one with extra non-empty fields past the header is
 * rejected (usually a comma that should have been quoted). */
int question_row_parse(const question_header_t *h, const char *const *fields,
                       size_t nfields, question_row_t *q,
                       char reason[QROW_REASON_MAX]);

/* "single", "multiple" or "judge" ("" for anything else). */
const char *question_type_name(question_type_t t);

/* The question's stable identity for upserts: lower-case hex SHA-256 of the
 * type name, a 0x1F separator and the stem with every run of white space
 * (ASCII, U+3000, U+00A0) made one space and the ends trimmed. Category,
 * options, answer and explanation are not part of it, so correcting those
 * updates the same question; two questions with the same type and stem are
 * the same question. out_hex gets 64 hex digits and a NUL. */
void question_fingerprint(const question_row_t *q, char out_hex[65]);

#endif
