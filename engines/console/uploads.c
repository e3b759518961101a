/* uploads.c: files kept in MariaDB, so every server process reads them
 * (console.h). The server names them by id; a client's file name is never
 * stored or used. */
#include "engines/console/console.h"
#include "rules/area.h"
#include "server/clock.h"
#include "lib/crypto.h"

#include <string.h>

long long console_upload_store(db_t *db, long long user_id, long long organizer_id,
                               const char *media_type, const void *data, size_t len)
{
    char sha[65];
    crypto_sha256_hex(data, len, sha);
    if (db_exec(db, "INSERT INTO uploads (user_id, organizer_id, media_type, size, sha256, data,"
                    " created_at) VALUES (NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?)",
                "iisisbi", user_id, organizer_id, media_type, (long long)len, sha, data, len,
                (long long)clock_now_s()) < 0)
        return -1;
    return db_last_id(db);
}

long long console_upload_count_since(db_t *db, arena_t *a, long long user_id, long long organizer_id,
                                    long long since)
{
    db_res_t *res = organizer_id > 0
        ? db_query(db, a, "SELECT COUNT(*) FROM uploads WHERE organizer_id = ? AND created_at >= ?",
                   "ii", organizer_id, since)
        : db_query(db, a, "SELECT COUNT(*) FROM uploads WHERE user_id = ? AND created_at >= ?",
                   "ii", user_id, since);
    return res ? db_int(res, 0, 0) : -1;
}

/* 1 when an organizer of area may see upload id: some application names it
 * for a unit in the area. */
static int organizer_may_see(db_t *db, arena_t *a, long long id, const char *area)
{
    if (!area || !*area)
        return 1;
    db_res_t *res = db_query(db, a,
                             "SELECT 1 FROM admin_applications ap JOIN units u ON u.id = ap.unit_id"
                             " WHERE (ap.certificate_upload_id = ? OR ap.authorization_upload_id = ?)"
                             " AND" RULES_AREA_SQL("u") " LIMIT 1",
                             "iissss", id, id, area, area, area, area);
    if (!res)
        return -1;
    return res->nrows ? 1 : 0;
}

int console_upload_get(db_t *db, arena_t *a, long long id, long long user_id,
                       long long organizer_id, const char *area, console_upload_t *out)
{
    db_res_t *res = db_query(db, a, "SELECT id, IFNULL(user_id, 0), media_type, data, IFNULL(organizer_id, 0)"
                                    " FROM uploads WHERE id = ?", "i", id);
    if (!res)
        return -1;
    if (!res->nrows)
        return CONSOLE_NOT_FOUND;
    long long owner = db_int(res, 0, 1);
    if (organizer_id > 0) {
        /* the organizer who uploaded it (a material's file), or by area */
        int ok = db_int(res, 0, 4) == organizer_id ? 1 : organizer_may_see(db, a, id, area);
        if (ok < 0)
            return -1;
        if (!ok)
            return CONSOLE_FORBIDDEN;
    } else if (!user_id || owner != user_id) {
        return CONSOLE_FORBIDDEN;
    }
    out->id = id;
    out->user_id = owner;
    out->media_type = db_get(res, 0, 2);
    out->data = db_get(res, 0, 3);
    out->len = res->lens[0 * res->ncols + 3];
    return 0;
}
