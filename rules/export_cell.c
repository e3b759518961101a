/* export_cell.c: see export_cell.h. */
#include "rules/export_cell.h"

#include <string.h>

int rules_cell_is_formula(const char *text)
{
    if (!text)
        return 0;
    return text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
           text[0] == '\t' || text[0] == '\r';
}

long rules_csv_field(const char *text, char *out, size_t outsz)
{
    if (!out || !outsz)
        return -1;
    out[0] = 0;
    if (!text)
        text = "";
    size_t len = strlen(text);
    int formula = rules_cell_is_formula(text);
    int quote = strpbrk(text, ",\"\r\n") != NULL;
    size_t need = len + (size_t)formula + 1;
    for (const char *p = text; quote && *p; p++)
        need += *p == '"';
    need += quote ? 2 : 0;
    if (need > outsz)
        return -1;
    size_t o = 0;
    if (quote)
        out[o++] = '"';
    if (formula)
        out[o++] = '\'';
    for (const char *p = text; *p; p++) {
        if (quote && *p == '"')
            out[o++] = '"';
        out[o++] = *p;
    }
    if (quote)
        out[o++] = '"';
    out[o] = 0;
    return (long)o;
}

/* East Asian wide ranges that matter for names, units and places. */
static int wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

size_t rules_display_width(const char *text)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p) {
        unsigned cp = *p;
        int n = 1;
        if (cp >= 0xF0 && cp <= 0xF4) { cp &= 0x07; n = 4; }
        else if (cp >= 0xE0) { cp &= 0x0F; n = 3; }
        else if (cp >= 0xC2 && cp < 0xE0) { cp &= 0x1F; n = 2; }
        int ok = 1;
        for (int i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80) { ok = 0; break; }
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (!ok) { n = 1; cp = '?'; }
        w += wide(cp) ? 2 : 1;
        p += n;
    }
    return w;
}
