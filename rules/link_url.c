/* link_url.c: see link_url.h. */
#include "rules/link_url.h"

#include <string.h>

int rules_link_url_valid(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    if (n > LINK_URL_MAX)
        return 0;
    size_t skip;
    if (n >= 8 && strncmp(u, "https://", 8) == 0)
        skip = 8;
    else if (n >= 7 && strncmp(u, "http://", 7) == 0)
        skip = 7;
    else
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= ' ' || (unsigned char)u[i] >= 127 || strchr("\"'<>\\`", u[i]))
            return 0;
    return u[skip] != '\0' && u[skip] != '/';
}
