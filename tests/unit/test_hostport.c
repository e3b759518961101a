/* test_hostport.c: lib/hostport — the Sentinel list of the configuration. */
#include "tests/unit/check.h"
#include "lib/hostport.h"

static char host[64];
static int port;

TEST(entries_in_order)
{
    const char *list = "127.0.0.1:26379, sentinel-b.example:26380 ,[fd00::5]:26381";
    CHECK_INT(hostport_nth(list, 0, host, sizeof host, &port), 0);
    CHECK_STR(host, "127.0.0.1");
    CHECK_INT(port, 26379);
    CHECK_INT(hostport_nth(list, 1, host, sizeof host, &port), 0);
    CHECK_STR(host, "sentinel-b.example");
    CHECK_INT(port, 26380);
    CHECK_INT(hostport_nth(list, 2, host, sizeof host, &port), 0);
    CHECK_STR(host, "fd00::5");
    CHECK_INT(port, 26381);
    CHECK_INT(hostport_nth(list, 3, host, sizeof host, &port), 1);
}

TEST(empty_lists_have_no_entry)
{
    CHECK_INT(hostport_nth("", 0, host, sizeof host, &port), 1);
    CHECK_INT(hostport_nth("   ", 0, host, sizeof host, &port), 1);
    CHECK_INT(hostport_nth("a:1", 1, host, sizeof host, &port), 1);
}

TEST(malformed_entries_are_refused_alone)
{
    static const char *const bad[] = {
        "nohost", ":26379", "host:", "host:0", "host:65536", "host:123456", "host:26a",
        "fd00::5:26379", "[fd00::5]26379", "[fd00::5", "[]:1", "host: 1x", ",",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        port = -7;
        int rc = hostport_nth(bad[i], 0, host, sizeof host, &port);
        if (rc != -1)
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
        CHECK_INT(rc, -1);
        CHECK_INT(port, -7);
    }
    /* one bad entry does not hide the next */
    CHECK_INT(hostport_nth("bad, good:7", 0, host, sizeof host, &port), -1);
    CHECK_INT(hostport_nth("bad, good:7", 1, host, sizeof host, &port), 0);
    CHECK_STR(host, "good");
    CHECK_INT(port, 7);
    CHECK_INT(hostport_nth("a:1,,b:2", 1, host, sizeof host, &port), -1);
    CHECK_INT(hostport_nth("a:1,,b:2", 2, host, sizeof host, &port), 0);
}

TEST(a_host_that_does_not_fit_is_refused)
{
    char small[5];
    CHECK_INT(hostport_nth("abcd:1", 0, small, sizeof small, &port), 0);
    CHECK_STR(small, "abcd");
    CHECK_INT(hostport_nth("abcde:1", 0, small, sizeof small, &port), -1);
    CHECK_INT(hostport_nth("65535.example:65535", 0, host, sizeof host, &port), 0);
    CHECK_INT(port, 65535);
}

int main(void)
{
    RUN(entries_in_order);
    RUN(empty_lists_have_no_entry);
    RUN(malformed_entries_are_refused_alone);
    RUN(a_host_that_does_not_fit_is_refused);
    return check_summary();
}
