/* douyin.h: the short-video receipt's checks (RULES.md §3).
 *
 * A Douyin link is accepted in the forms the app's "share" and a browser
 * give, https only, with nothing around it:
 *   https://v.douyin.com/<5..16 of [A-Za-z0-9_-]>/        (share link; final '/' optional)
 *   https://www.douyin.com/video/<15..20 digits>          (video page)
 *   https://www.iesdouyin.com/share/video/<15..20 digits>/ (mobile share page; '/' optional)
 * A query string ("?..." of URL-safe characters, at most 200) may follow
 * the video forms. The canonical form (what duplicates are found by) drops
 * the query and the final '/'. */
#ifndef RULES_DOUYIN_H
#define RULES_DOUYIN_H

#include <stddef.h>

#define DOUYIN_URL_MAX 300

/* 0 with the canonical URL in out, or -1 (out = ""). */
int rules_douyin_url(const char *url, char *out, size_t outsz);

/* The mail subject the activity requires: "水利安全+<unit>+<title>".
 * Returns 0, or -1 when it does not fit. */
int rules_video_mail_subject(const char *unit, const char *title, char *out, size_t outsz);

#endif
