/* events.c: see events.h. */
#include "handlers/events.h"
#include "handlers/exports.h"
#include "handlers/handlers.h"
#include "handlers/qrcode.h"
#include "rules/score.h"

#include <stdio.h>

static json_t *body_object(req_t *r)
{
    json_t *j = req_json(r);
    if (j && !json_is_object(j)) {
        reply_error(r, 400, "bad_json", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

static int save(req_t *r, long long id)
{
    json_t *j = body_object(r);
    if (!j)
        return 0;
    rep_who_t who;
    exports_who(r, &who);
    json_t *ev;
    const char *err = NULL;
    status_t rc = rep_event_save(req_db(r), r->arena, &who, id, j, clock_now_s(), &ev, &err);
    if (rc != ST_OK)
        return exports_reply_error(r, rc, rc == ST_NOT_FOUND ? "event_not_found" : err);
    log_info("events: organizer %lld %s event %lld", who.organizer_id, id ? "changed" : "created",
             (long long)json_integer_value(json_object_get(ev, "id")));
    return reply_json(r, id ? 200 : 201, json_pack("{s:o}", "event", ev));
}

int h_admin_event_create(req_t *r)
{
    return save(r, 0);
}

int h_admin_event_update(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "event_not_found", &id) < 0)
        return 0;
    return save(r, id);
}

int h_events_list(req_t *r)
{
    json_t *list;
    long long now = clock_now_s();
    if (rep_events_list(req_db(r), r->arena, now, &list) != ST_OK) {
        return ST_STORE;
    }
    char iso[32];
    iso8601_format_shanghai(now, iso);
    return reply_json(r, 200, json_pack("{s:o,s:s}", "events", list, "server_time", iso));
}

int h_event_qrcode(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "event_not_found", &id) < 0)
        return 0;
    status_t ex = rep_event_exists(req_db(r), r->arena, id);
    if (ex == ST_STORE)
        return ST_STORE;
    if (ex != ST_OK)
        return reply_error(r, 404, "event_not_found", "no such event");
    char scene[40];
    snprintf(scene, sizeof scene, "e=%lld", id);
    return qrcode_serve(r, scene, "e", id);
}

int h_event_check_in(req_t *r)
{
    long long id, at;
    if (req_id_param(r, 0, "event_not_found", &id) < 0)
        return 0;
    status_t rc = rep_event_check_in(req_db(r), r->arena, id, r->auth.user_id, clock_now_s(), &at);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 404, "event_not_found", "no such event");
    if (rc == ST_FORBIDDEN)
        return reply_error(r, 403, "not_registered", "register your name and unit first");
    if (rc == ST_CONFLICT)
        return reply_error(r, 403, "event_not_open", "check-in is open only while a session runs");
    if (rc != ST_OK)
        return ST_STORE;
    char iso[32];
    iso8601_format_shanghai(at, iso);
    return reply_json(r, 200, json_pack("{s:s}", "checked_in_at", iso));
}

int h_unit_event_attendance(req_t *r)
{
    long long unit, event;
    if (req_id_param(r, 0, "unit_not_found", &unit) < 0 || req_id_param(r, 1, "event_not_found", &event) < 0)
        return 0;
    json_t *j = body_object(r);
    if (!j)
        return 0;
    rep_who_t who;
    exports_who(r, &who);
    long long added;
    const char *err = NULL;
    status_t rc = rep_event_attendance(req_db(r), r->arena, &who, unit, event, json_object_get(j, "user_ids"),
                                       clock_now_s(), &added, &err);
    if (rc != ST_OK)
        return exports_reply_error(r, rc, err);
    if (who.organizer)
        log_info("events: organizer %lld recorded %lld attendance(s) of unit %lld at event %lld",
                 who.organizer_id, added, unit, event);
    return reply_json(r, 200, json_pack("{s:I,s:I}", "added", (json_int_t)added,
                                        "recorded", (json_int_t)json_array_size(json_object_get(j, "user_ids"))));
}
