/* peers.h: which FastCGI peers a TCP listener answers.
 *
 * nginx sends the client's address as REMOTE_ADDR, and the server trusts
 * it (rate limits, loopback-only routes), so a TCP listener must talk only
 * to the nginx it was configured for: `trusted_peers` lists their
 * addresses (IPv4 or IPv6, comma separated; default 127.0.0.1). Any other
 * peer's connection is closed at once, before a byte is read. A unix
 * socket is guarded by its file mode instead. */
#ifndef PEERS_H
#define PEERS_H

#include <sys/socket.h>

/* 1 when the peer's address is in list, else 0 (also for a malformed list
 * entry, which matches nothing). */
int peers_trusted(const struct sockaddr *sa, socklen_t len, const char *list);

#endif
