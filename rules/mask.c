/* mask.c: see mask.h. */
#include "rules/mask.h"

#include <stdint.h>
#include <string.h>

#include "lib/utf8.h"

/* Compound surnames (复姓) of the Hundred Family Surnames still in use.
 * Left out on purpose: 单于, whose first character is a common single
 * surname (单) and whose second is a common given-name character (于),
 * so 单于洋 is far more likely Shan Yuyang than a 单于. */
static const char *const compound_surnames[] = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容",
    "令狐", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫",
    "西门", "百里", "呼延", "澹台", "公冶", "太史", "申屠", "万俟", "闻人",
    "赫连", "钟离", "宗政", "濮阳", "淳于", "太叔", "公羊", "仲孙", "司空",
    "鲜于", "闾丘", "亓官", "司寇", "子车", "颛孙", "壤驷", "公良", "漆雕",
    "乐正", "拓跋", "夹谷", "宰父", "谷梁", "段干", "东郭", "南门", "羊舌",
    "微生", "梁丘", "左丘", "东门", "第五", "公西", "巫马", "归海", "即墨",
};

static void put_str(char *out, size_t outsz, const char *s)
{
    size_t n = strlen(s);
    if (n + 1 > outsz)
        n = outsz - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static size_t compound_len(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof compound_surnames / sizeof compound_surnames[0]; i++) {
        size_t n = strlen(compound_surnames[i]);
        if (n <= len && memcmp(name, compound_surnames[i], n) == 0)
            return n;
    }
    return 0;
}

void rules_mask_name(const char *name, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return;
    out[0] = '\0';
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || !rules_utf8_valid(name, len)) {
        put_str(out, outsz, "*");
        return;
    }
    size_t total = rules_utf8_count(name);
    uint32_t first;
    size_t keep = (size_t)rules_utf8_decode(name, len, &first);   /* bytes */
    size_t keep_cps = 1;
    if (total >= 3 && first >= 0x80) {
        size_t c = compound_len(name, len);
        if (c) {
            keep = c;
            keep_cps = 2;
        }
    }
    size_t stars = total > keep_cps ? total - keep_cps : 1;

    /* the surname goes in whole or not at all */
    size_t o = 0;
    if (keep + 1 <= outsz) {
        memcpy(out, name, keep);
        o = keep;
    }
    for (size_t i = 0; i < stars && o + 1 < outsz; i++)
        out[o++] = '*';
    out[o] = '\0';
}

void rules_mask_phone(const char *phone, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return;
    out[0] = '\0';
    char d[32];
    size_t n = 0;
    int plus = 0;
    const char *p = phone;
    if (!p) {
        put_str(out, outsz, "****");
        return;
    }
    while (*p == ' ')
        p++;
    if (*p == '+') {
        plus = 1;
        p++;
    }
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n >= sizeof d) {
                n = 0;
                break;
            }
            d[n++] = *p;
        } else if (*p != ' ' && *p != '-') {
            n = 0;
            break;
        }
    }
    if (n == 0) {
        put_str(out, outsz, "****");
        return;
    }
    const char *digits = d;
    if (n >= 2 && d[0] == '8' && d[1] == '6' && (plus || (n == 13 && d[2] == '1'))) {
        digits += 2;
        n -= 2;
    }
    if (n == 0) {
        put_str(out, outsz, "****");
        return;
    }

    size_t head, tail;
    if (n >= 11) {
        head = 3; tail = 4;
    } else if (n >= 6) {
        head = 3; tail = 2;
    } else {
        head = 0; tail = 0;
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < outsz; i++)
        out[o++] = (i < head || i >= n - tail) ? digits[i] : '*';
    out[o] = '\0';
}
