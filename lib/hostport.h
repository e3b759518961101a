/* hostport.h: one address of a comma-separated "host:port" list, as
 * configuration files write them ("10.0.0.5:26379, [fd00::5]:26379").
 * Pure text work: nothing is resolved or connected. */
#ifndef HOSTPORT_H
#define HOSTPORT_H

#include <stddef.h>

/* The i-th (from 0) entry of list. Spaces around an entry are ignored, an
 * IPv6 host is written in brackets, and the port is 1..65535.
 * Returns 0 with host (NUL-terminated) and *port set; 1 when the list has
 * no i-th entry; -1 when that entry is malformed or its host does not fit
 * in cap bytes (the caller skips it). */
int hostport_nth(const char *list, unsigned i, char *host, size_t cap, int *port);

#endif
