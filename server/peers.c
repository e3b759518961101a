/* peers.c: see peers.h. */
#include "server/peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

/* Compare one list entry (text) with the peer's address. */
static int entry_matches(const char *entry, size_t n, const struct sockaddr *sa)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, entry, n);
    buf[n] = '\0';
    if (sa->sa_family == AF_INET) {
        struct in_addr want;
        return inet_pton(AF_INET, buf, &want) == 1 &&
               ((const struct sockaddr_in *)sa)->sin_addr.s_addr == want.s_addr;
    }
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *got = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        struct in6_addr want6;
        struct in_addr want4;
        if (inet_pton(AF_INET6, buf, &want6) == 1)
            return memcmp(got, &want6, sizeof want6) == 0;
        /* an IPv4 entry matches the same address mapped into IPv6 */
        return inet_pton(AF_INET, buf, &want4) == 1 && IN6_IS_ADDR_V4MAPPED(got) &&
               memcmp(&got->s6_addr[12], &want4, 4) == 0;
    }
    return 0;
}

int peers_trusted(const struct sockaddr *sa, socklen_t len, const char *list)
{
    if (!sa || !list || len < (socklen_t)sizeof(sa_family_t))
        return 0;
    if (sa->sa_family == AF_INET && len < (socklen_t)sizeof(struct sockaddr_in))
        return 0;
    if (sa->sa_family == AF_INET6 && len < (socklen_t)sizeof(struct sockaddr_in6))
        return 0;
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if (e > p && entry_matches(p, (size_t)(e - p), sa))
            return 1;
        p = e;
    }
    return 0;
}
