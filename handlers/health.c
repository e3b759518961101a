/* health.c: GET /api/v1/healthz and GET /api/v1/ping.
 *
 * healthz answers 200 while answers can be taken: MariaDB is the truth, so
 * MariaDB down is 503; Redis down is reported but still 200, because every
 * rule is decided by MariaDB and the boards catch up later. */
#include "handlers/handlers.h"

int h_healthz(req_t *r)
{
    int db_up = db_ping(req_db(r)) == 0;
    int kv_up = 0;
    redisReply *rep = kv_cmd(req_kv(r), r->arena, "PING");
    if (rep && rep->type == REDIS_REPLY_STATUS)
        kv_up = 1;
    json_t *body = json_pack("{s:b,s:s,s:s}", "ok", db_up, "mariadb", db_up ? "up" : "down",
                             "redis", kv_up ? "up" : "down");
    return reply_json(r, db_up ? 200 : 503, body);
}

/* A route that touches no store: what the FastCGI path itself costs. */
int h_ping(req_t *r)
{
    return reply_json(r, 200, json_pack("{s:b}", "pong", 1));
}
