/* region_code.c: see region_code.h. */
#include "rules/region_code.h"

#include <string.h>

int rules_region_code_parse(const char *s, char out[7])
{
    if (out)
        out[0] = '\0';
    if (!s || !out)
        return -1;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;              /* also stops at an early NUL */
    if (s[6] != '\0')
        return -1;
    int prov00 = s[0] == '0' && s[1] == '0';
    int city00 = s[2] == '0' && s[3] == '0';
    int cnty00 = s[4] == '0' && s[5] == '0';
    if (prov00 || (city00 && !cnty00))
        return -1;
    memcpy(out, s, 7);
    return city00 ? 1 : cnty00 ? 2 : 3;
}

void rules_region_parents(const char code[7], char province[7], char city[7])
{
    char c[7];
    int level = code ? rules_region_code_parse(code, c) : -1;
    if (province) {
        province[0] = '\0';
        if (level > 0) {
            memcpy(province, c, 2);
            memcpy(province + 2, "0000", 5);
        }
    }
    if (city) {
        city[0] = '\0';
        if (level > 1) {
            memcpy(city, c, 4);
            memcpy(city + 4, "00", 3);
        }
    }
}
