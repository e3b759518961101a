/* testclock.c: PUT /api/v1/__test/clock {"offset_s": N} or {"now": ISO}.
 * Exists only when the configuration sets clock_settable (tests), and only
 * from loopback: production has one clock that nobody moves. */
#include "handlers/handlers.h"
#include "rules/score.h"

int h_test_clock(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    json_t *off = json_object_get(j, "offset_s");
    json_t *nowv = json_object_get(j, "now");
    const char *now = req_text(nowv);
    long long fixed = 0;
    if (now && iso8601_parse(now, &fixed) < 0)
        return reply_error(r, 400, "invalid_time", "now must be ISO 8601");
    if (json_is_string(nowv) && !now)   /* a NUL inside */
        return reply_error(r, 400, "invalid_time", "now must be ISO 8601");
    clock_set(json_is_integer(off) ? json_integer_value(off) * 1000 : 0, fixed * 1000);
    char iso[32];
    iso8601_format_shanghai(clock_now_s(), iso);
    return reply_json(r, 200, json_pack("{s:s}", "server_time", iso));
}
