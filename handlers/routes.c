/* routes.c: every route of the API in one table (see server/router.h).
 * The flags say who may call each route; the dispatcher enforces them.
 * Each section belongs to one resource; its handlers are declared in the
 * header named beside it. */
#include "handlers/handlers.h"
#include "server/metrics.h"
/* @includes: one line per resource header */
#include "handlers/leaderboards.h"
#include "handlers/regions.h"
#include "handlers/units.h"
#include "handlers/qrcode.h"
#include "handlers/profile.h"
#include "handlers/attempts.h"
#include "handlers/attempt_review.h"
#include "handlers/contests.h"
#include "handlers/questions.h"
#include "handlers/admin_auth.h"
#include "handlers/login.h"
#include "handlers/phone.h"
#include "handlers/stats.h"
#include "handlers/exports.h"
#include "handlers/events.h"
#include "handlers/console.h"
#include "handlers/web_sessions.h"
#include "handlers/materials.h"
#include "handlers/prizes.h"
#include "handlers/certificates.h"
#include "handlers/videos.h"
#include "handlers/subscriptions.h"
#include "handlers/logout.h"
#include "handlers/privacy.h"

#define API "/api/v1"

const route_t app_routes[] = {
    /* health, metrics, test clock (handlers.h) */
    { "GET",  API "/healthz",            h_healthz,        0, 0 },
    { "GET",  API "/ping",               h_ping,           0, 0 },
    { "GET",  "/metrics",                metrics_handler,  R_LOOPBACK, 0 },
    { "PUT",  API "/__test/clock",       h_test_clock,     R_TEST | R_LOOPBACK, 0 },

    /* @login: login, me/phone, admin login, organizer accounts */
    { "POST", API "/login",              h_login,          R_SLOW, 4096 },
    { "POST", API "/me/phone",           h_me_phone,       R_USER | R_SLOW, 16384 },
    { "POST", API "/admin/login",        h_admin_login,    R_SLOW, 4096 },
    { "POST", API "/me/console-code",    h_console_code,   R_UNIT_ADMIN, 1024 },

    /* @units: regions, units, profile, me, qrcodes */
    { "GET",  API "/regions",            h_regions,        0, 0 },
    { "GET",  API "/units",              h_units_list,     0, 0 },
    /* registration waits on WeChat's content check */
    { "POST", API "/units",              h_units_create,   R_USER | R_SLOW, 16384 },
    { "GET",  API "/units/{id}",         h_units_get,      0, 0 },
    /* public: the mini-program shows it with <image src>; may ask WeChat */
    { "GET",  API "/units/{id}/qrcode",  h_unit_qrcode,    R_SLOW, 0 },
    { "GET",  API "/admin/qrcode/unit-registration", h_registration_qrcode, R_ORGANIZER | R_SLOW, 0 },
    { "PUT",  API "/me/profile",         h_profile_put,    R_USER | R_SLOW, 16384 },
    { "GET",  API "/me",                 h_me,             R_USER, 0 },

    /* @quiz: contests, questions, attempts */
    { "GET",  API "/contests",           h_contests_list,  0, 0 },
    { "GET",  API "/contests/current",   h_contest_current, 0, 0 },
    { "POST", API "/admin/contests",     h_admin_contest_create, R_ORGANIZER | R_NATIONWIDE, 64 * 1024 },
    { "PUT",  API "/admin/contests/{id}", h_admin_contest_update, R_ORGANIZER | R_NATIONWIDE, 64 * 1024 },
    /* imports and corrections can take seconds: the slow pool keeps them
     * off the workers that serve submits */
    { "POST", API "/admin/questions/import", h_admin_questions_import, R_ORGANIZER | R_NATIONWIDE | R_SLOW,
      QUESTIONS_IMPORT_MAX_BODY + 64 * 1024 /* multipart framing */ },
    { "PUT",  API "/admin/questions/{id}", h_admin_question_update, R_ORGANIZER | R_NATIONWIDE | R_SLOW, 64 * 1024 },
    /* Not R_SLOW: a start is parked while its group commits, holding no
     * thread (engines/quiz/start_group.h), so the thread that read it
     * draws its paper; a submit likewise (engines/quiz/group.h), scored by
     * its group's writer. */
    { "POST", API "/attempts",           h_attempt_start,  R_USER, 1024 },
    { "POST", API "/attempts/{id}/submit", h_attempt_submit, R_USER, 128 * 1024 },
    { "GET",  API "/attempts",           h_attempts_list,  R_USER, 0 },
    { "GET",  API "/attempts/{id}",      h_attempt_get,    R_USER, 0 },

    /* @boards: leaderboards, rebuild */
    /* public; a token, when given, adds the caller's own rank (`me`) */
    { "GET",  API "/leaderboards/individual", h_lb_individual, R_OPTIONAL_AUTH, 0 },
    { "GET",  API "/leaderboards/units",      h_lb_units,      0, 0 },
    { "GET",  API "/leaderboards/regions",    h_lb_regions,    0, 0 },
    { "POST", API "/admin/boards/rebuild",    h_lb_rebuild,    R_ORGANIZER, 1024 },
    { "GET",  API "/admin/boards/rebuild",    h_lb_rebuild_status, R_ORGANIZER, 0 },
    { "GET",  API "/admin/stats",             h_admin_stats,   R_ORGANIZER, 0 },

    /* @reports: export jobs (engines/reports runs them on its own threads) */
    { "POST", API "/admin/exports",           h_exports_create, R_ORGANIZER | R_UNIT_ADMIN, 16384 },
    { "GET",  API "/admin/jobs/{id}",         h_job_get,       R_ORGANIZER | R_UNIT_ADMIN, 0 },
    /* reads a file of up to a few MB from disk: off the fast workers */
    { "GET",  API "/admin/jobs/{id}/file",    h_job_file,      R_ORGANIZER | R_UNIT_ADMIN | R_SLOW, 0 },

    /* @events: lectures, check-in codes, check-ins, recorded attendance */
    { "GET",  API "/events",                  h_events_list,   0, 0 },
    { "POST", API "/admin/events",            h_admin_event_create, R_ORGANIZER, 16384 },
    { "PUT",  API "/admin/events/{id}",       h_admin_event_update, R_ORGANIZER, 16384 },
    /* may ask WeChat for the code */
    { "GET",  API "/admin/qrcode/event/{id}", h_event_qrcode,  R_ORGANIZER | R_SLOW, 0 },
    { "POST", API "/events/{id}/check-in",    h_event_check_in, R_USER, 1024 },
    { "PUT",  API "/units/{id}/events/{event_id}/attendance", h_unit_event_attendance,
      R_UNIT_ADMIN | R_ORGANIZER, 64 * 1024 },
    /* @console: organizers' corrections, audit, reviews, uploads, unit
     * admins (handlers/console.h); organizer routes are bound to the area */
    { "GET",  API "/admin/audit",             h_admin_audit,   R_ORGANIZER | R_NATIONWIDE, 0 },
    { "GET",  API "/admin/units",             h_admin_units_list, R_ORGANIZER, 0 },
    { "GET",  API "/admin/units/{id}",        h_admin_unit_get, R_ORGANIZER, 0 },
    { "PUT",  API "/admin/units/{id}",        h_admin_unit_update, R_ORGANIZER, 16384 },
    { "POST", API "/admin/units/{id}/merge",  h_admin_unit_merge, R_ORGANIZER, 1024 },
    { "GET",  API "/admin/reviews",           h_admin_reviews, R_ORGANIZER, 0 },
    { "POST", API "/admin/reviews/{id}/accept", h_admin_review_accept, R_ORGANIZER, 4096 },
    { "POST", API "/admin/reviews/{id}/reject", h_admin_review_reject, R_ORGANIZER, 4096 },
    /* one file of at most 10 MB; nginx's limit is generated from this */
    /* people (an application's files) and organizers (a material's PDF) */
    { "POST", API "/uploads",                 h_upload_create, R_USER | R_ORGANIZER, UPLOAD_MAX_BODY },
    { "GET",  API "/uploads/{id}",            h_upload_get,    R_USER | R_ORGANIZER, 0 },
    { "POST", API "/units/{id}/admin-applications", h_application_create, R_USER, 4096 },
    { "GET",  API "/admin/admin-applications", h_admin_applications, R_ORGANIZER, 0 },
    { "GET",  API "/admin/admin-applications/{id}", h_admin_application_get, R_ORGANIZER, 0 },
    { "POST", API "/admin/admin-applications/{id}/approve", h_admin_application_approve, R_ORGANIZER, 1024 },
    { "POST", API "/admin/admin-applications/{id}/reject", h_admin_application_reject, R_ORGANIZER, 4096 },
    { "GET",  API "/units/{id}/members",      h_unit_members,  R_UNIT_ADMIN | R_ORGANIZER, 0 },

    /* @materials: study materials (materials.h) */
    { "GET",  API "/materials",               h_materials_list, 0, 0 },
    /* public once published: a PDF of up to 10 MB read from MariaDB */
    { "GET",  API "/materials/{id}/file",     h_material_file,  0, 0 },
    { "POST", API "/admin/materials",         h_admin_material_create, R_ORGANIZER | R_NATIONWIDE, 8192 },
    { "DELETE", API "/admin/materials/{id}",  h_admin_material_delete, R_ORGANIZER | R_NATIONWIDE, 1024 },

    /* @web: sign-in on the web quiz page by scanning (web_sessions.h) */
    { "POST", API "/web/sessions",            h_web_session_create, 0, 1024 },
    { "GET",  API "/web/sessions/{id}",       h_web_session_poll,   0, 0 },
    /* public (<img src>); may ask WeChat */
    { "GET",  API "/web/sessions/{id}/qrcode", h_web_session_qrcode, R_SLOW, 0 },
    { "POST", API "/me/web-sessions/{id}/confirm", h_web_session_confirm, R_USER, 1024 },

    /* @prizes: the draw, winners */
    { "POST", API "/admin/contests/{id}/draw/commit", h_draw_commit, R_ORGANIZER | R_NATIONWIDE, 4096 },
    /* freezing reads every candidate and a reveal writes every winner:
     * the slow pool keeps them off the submit workers */
    { "POST", API "/admin/contests/{id}/draw/freeze", h_draw_freeze, R_ORGANIZER | R_NATIONWIDE | R_SLOW, 1024 },
    { "POST", API "/admin/contests/{id}/draw/reveal", h_draw_reveal, R_ORGANIZER | R_NATIONWIDE | R_SLOW, 4096 },
    /* user ids of winners across the country: nationwide organizers only */
    { "GET",  API "/admin/contests/{id}/winners", h_admin_contest_winners, R_ORGANIZER | R_NATIONWIDE, 0 },
    { "GET",  API "/contests/{id}/winners",       h_contest_winners, 0, 0 },
    { "GET",  API "/contests/{id}/draw/candidates", h_draw_candidates, 0, 0 },

    /* @certificates: making one embeds a font (about 1 MB): the slow pool */
    { "GET",  API "/me/certificate",            h_me_certificate, R_USER | R_SLOW, 0 },
    { "GET",  API "/certificates/{serial}",     h_certificate_verify, 0, 0 },

    /* @videos: the receipt waits on WeChat's content check */
    { "POST", API "/videos",                    h_videos_submit, R_USER | R_SLOW, 64 * 1024 },
    { "GET",  API "/admin/videos",              h_admin_videos, R_ORGANIZER, 0 },
    { "GET",  API "/admin/videos/regions",      h_admin_video_regions, R_ORGANIZER, 0 },
    { "PUT",  API "/admin/videos/{id}/award",   h_admin_video_award, R_ORGANIZER | R_NATIONWIDE, 1024 },

    /* @notices */
    { "POST", API "/me/subscriptions",          h_me_subscriptions, R_USER, 1024 },

    /* @privacy: sessions ending, the privacy notice, a person's data (issue 14) */
    { "POST",   API "/logout",             h_logout,         R_USER | R_UNIT_ADMIN | R_ORGANIZER, 1024 },
    { "GET",    API "/privacy",            h_privacy_get,    0, 0 },
    { "PUT",    API "/admin/privacy",      h_privacy_put,    R_ORGANIZER | R_NATIONWIDE, 64 * 1024 },
    { "GET",    API "/me/data",            h_me_data,        R_USER, 0 },
    { "DELETE", API "/me",                 h_me_delete,      R_USER, 1024 },
    { "GET",    API "/admin/duplicates",   h_admin_duplicates, R_ORGANIZER, 0 },
};

const size_t app_nroutes = sizeof app_routes / sizeof app_routes[0];
