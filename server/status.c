/* status.c: see status.h. */
#include "server/status.h"

const char *status_str(status_t st)
{
    switch (st) {
    case ST_NOT_FOUND: return "not_found";
    case ST_REPLIED: return "replied";
    case ST_OK: return "ok";
    case ST_ERR: return "internal";
    case ST_STORE: return "store_unavailable";
    case ST_RETRY: return "retry";
    case ST_INVALID: return "invalid";
    case ST_FORBIDDEN: return "forbidden";
    case ST_BUSY: return "busy";
    case ST_GONE: return "gone";
    case ST_CONFLICT: return "conflict";
    }
    return "unknown";
}
