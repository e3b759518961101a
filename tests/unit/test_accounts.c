/* test_accounts.c: server/peers (which FastCGI peers a TCP listener
 * answers) and engines/accounts/keys (the keyed phone hash: one number in
 * its spellings is one hash; another key, another hash). */
#include "tests/unit/check.h"
#include "engines/accounts/accounts.h"
#include "server/config.h"
#include "server/peers.h"

#include <arpa/inet.h>
#include <netinet/in.h>

static int v4(const char *addr, const char *list)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    inet_pton(AF_INET, addr, &sa.sin_addr);
    return peers_trusted((struct sockaddr *)&sa, sizeof sa, list);
}

static int v6(const char *addr, const char *list)
{
    struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
    inet_pton(AF_INET6, addr, &sa.sin6_addr);
    return peers_trusted((struct sockaddr *)&sa, sizeof sa, list);
}

TEST(peers)
{
    CHECK(v4("127.0.0.1", "127.0.0.1"));
    CHECK(v4("10.0.0.7", "127.0.0.1, 10.0.0.7,10.0.0.8"));
    CHECK(v4("10.0.0.8", "127.0.0.1, 10.0.0.7,10.0.0.8"));
    CHECK(!v4("10.0.0.9", "127.0.0.1, 10.0.0.7,10.0.0.8"));
    CHECK(!v4("127.0.0.1", ""));
    CHECK(!v4("127.0.0.1", "127.0.0.1x, 127.0.0"));     /* malformed entries match nothing */
    CHECK(!v4("127.0.0.1", NULL));
    CHECK(v6("::1", "127.0.0.1,::1"));
    CHECK(!v6("::2", "127.0.0.1,::1"));
    CHECK(v6("::ffff:10.1.2.3", "10.1.2.3"));           /* IPv4 mapped into IPv6 */
    CHECK(!v6("::ffff:10.1.2.4", "10.1.2.3"));
    struct sockaddr_in sa = { .sin_family = AF_INET };
    CHECK(!peers_trusted((struct sockaddr *)&sa, 2, "0.0.0.0"));   /* short address */
    CHECK(!peers_trusted(NULL, 0, "127.0.0.1"));
    char big[600];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(!v4("127.0.0.1", big));                      /* an entry too long for an address */
}

TEST(phone_hash)
{
    char a[65], b[65], c[65], d[65];
    snprintf(g_config.phone_key_hex, sizeof g_config.phone_key_hex, "%s",
             "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    CHECK_INT(accounts_phone_hash("13812345678", a), 0);
    CHECK_INT(accounts_phone_hash("+86 138-1234-5678", b), 0);
    CHECK_INT(accounts_phone_hash("8613812345678", c), 0);
    CHECK_INT(accounts_phone_hash("13812345679", d), 0);
    CHECK_STR(a, b);
    CHECK_STR(a, c);
    CHECK(strcmp(a, d) != 0);
    CHECK_INT(strlen(a), 64);
    /* a MAC under the same key for another purpose differs */
    char m[65];
    CHECK_INT(accounts_mac_hex("session-cache", "13812345678", 11, m), 0);
    CHECK(strcmp(a, m) != 0);
}

int main(void)
{
    RUN(peers);
    RUN(phone_hash);
    return check_summary();
}
