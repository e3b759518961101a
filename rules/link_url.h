/* link_url.h: a link organizers publish (study materials), which pages
 * put into an href. Pure. */
#ifndef RULES_LINK_URL_H
#define RULES_LINK_URL_H

#define LINK_URL_MAX 500

/* 1 when u is "http://" or "https://" followed by a host (not empty, not
 * starting with '/') and the rest, at most LINK_URL_MAX bytes of printable
 * ASCII without spaces, quotes, backslash, backtick or angle brackets (so
 * it cannot leave an attribute or smuggle a javascript: scheme); else 0. */
int rules_link_url_valid(const char *u);

#endif
