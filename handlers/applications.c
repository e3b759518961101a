/* applications.c: a registered user applies to be a unit's admin with two
 * uploaded documents; organizers of the unit's area list, open, approve or
 * reject the applications. */
#include "handlers/console.h"
#include "engines/console/console.h"
#include "handlers/handlers.h"
#include "engines/accounts/seal.h"
#include "engines/accounts/session.h"
#include "rules/mask.h"
#include "rules/names.h"
#include "rules/org_name.h"

#include <string.h>

static long long upload_id_field(json_t *j, const char *name)
{
    json_t *v = json_object_get(j, name);
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : -1;
}

int h_application_create(req_t *r)
{
    long long unit_id;
    if (req_id_param(r, 0, "unit_not_found", &unit_id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    char name[81], phone[32];
    const char *s = req_text(json_object_get(j, "applicant_name"));
    if (!s || rules_text_field(s, 2, 20, name, sizeof name) < 0 || !rules_real_name_valid(name))
        return reply_error(r, 400, "invalid_name", "applicant_name must be a real name of 2-20 characters");
    s = req_text(json_object_get(j, "phone"));
    if (!s || rules_contact_phone_clean(s, phone, sizeof phone) < 0)
        return reply_error(r, 400, "invalid_parameter", "phone must be a phone number of 5-20 digits");
    console_application_t in = { .unit_id = unit_id, .user_id = r->auth.user_id, .applicant_name = name };
    in.certificate_upload_id = upload_id_field(j, "certificate_upload_id");
    in.authorization_upload_id = upload_id_field(j, "authorization_upload_id");
    if (in.certificate_upload_id < 0 || in.authorization_upload_id < 0 ||
        in.certificate_upload_id == in.authorization_upload_id)
        return reply_error(r, 400, "invalid_parameter",
                           "certificate_upload_id and authorization_upload_id must be two uploads"
                           " from POST /uploads");
    char masked[32];
    rules_mask_phone(phone, masked, sizeof masked);
    char *sealed;
    if (seal_str(r, phone, &sealed) < 0)
        return -1;
    in.phone_sealed = sealed;
    in.phone_masked = masked;
    long long id = 0;
    int rc = console_application_create(req_db(r), r->arena, &in, &id);
    if (rc == CONSOLE_UPLOAD_MISSING)
        return reply_error(r, 404, "upload_not_found", "no such upload");
    if (rc)
        return console_reply_outcome(r, rc, "unit_not_found");
    int err;
    json_t *a = console_application_json(req_db(r), r->arena, "", id, &err);
    if (!a)
        return console_reply_outcome(r, err, "not_found");
    json_object_del(a, "decided_by");
    return reply_json(r, 201, json_pack("{s:o}", "application", a));
}

int h_admin_applications(req_t *r)
{
    long long limit, offset, unit_id;
    if (req_query_int(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_query_int(r, "offset", 0, 0, 10000000, &offset) < 0 ||
        req_query_int(r, "unit_id", 0, 0, (1LL << 53), &unit_id) < 0)
        return 0;
    const char *state = req_query(r, "state");
    if (state && *state && strcmp(state, "pending") && strcmp(state, "approved") &&
        strcmp(state, "rejected") && strcmp(state, "replaced"))
        return reply_error(r, 400, "invalid_parameter",
                           "state is pending, approved, rejected or replaced");
    json_t *out = console_applications_list(req_db(r), r->arena, session_caller(r)->area,
                                            state && *state ? state : NULL, unit_id, limit, offset);
    if (!out) 
        return ST_STORE;

    return reply_json(r, 200, out);
}

int h_admin_application_get(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "application_not_found", &id) < 0)
        return 0;
    int err;
    json_t *a = console_application_json(req_db(r), r->arena, session_caller(r)->area, id, &err);
    if (!a)
        return console_reply_outcome(r, err, "application_not_found");
    return reply_json(r, 200, json_pack("{s:o}", "application", a));
}

static int decide(req_t *r, int reject)
{
    long long id;
    if (req_id_param(r, 0, "application_not_found", &id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    char reason[801];
    if (reject) {
        const char *s = req_text(json_object_get(j, "reason"));
        if (!s || rules_text_field(s, 2, 200, reason, sizeof reason) < 0)
            return reply_error(r, 400, "invalid_parameter",
                               "reason must be 2-200 characters telling the applicant why");
    }
    long long old_admin, new_admin;
    int rc = console_application_decide(req_db(r), r->arena, session_caller(r)->organizer_id, session_caller(r)->area, id,
                                        reject ? reason : NULL, &old_admin, &new_admin);
    if (rc)
        return console_reply_outcome(r, rc, "application_not_found");
    /* roles are read from users when a session is loaded: dropping the
     * cached copies makes the change hold from the next request */
    if (old_admin)
        session_forget_user(r, old_admin);
    if (new_admin)
        session_forget_user(r, new_admin);
    int err;
    json_t *a = console_application_json(req_db(r), r->arena, session_caller(r)->area, id, &err);
    if (!a)
        return console_reply_outcome(r, err, "application_not_found");
    return reply_json(r, 200, json_pack("{s:o}", "application", a));
}

int h_admin_application_approve(req_t *r)
{
    return decide(r, 0);
}

int h_admin_application_reject(req_t *r)
{
    return decide(r, 1);
}
