/* test_multipart.c: lib/multipart.c — the file part of a form body. */
#include "lib/multipart.h"
#include "tests/unit/check.h"

static int find(const char *ct, const char *body, const char *want, char *out, size_t outsz)
{
    const char *d;
    size_t n;
    if (multipart_find_file(ct, body, strlen(body), want, &d, &n) < 0)
        return -1;
    snprintf(out, outsz, "%.*s", (int)n, d);
    return 0;
}

TEST(content_type)
{
    CHECK(multipart_is_form("multipart/form-data; boundary=x"));
    CHECK(multipart_is_form("Multipart/Form-Data;boundary=x"));
    CHECK(!multipart_is_form("multipart/form-datax"));
    CHECK(!multipart_is_form("text/csv"));
    CHECK(!multipart_is_form(NULL));
}

TEST(named_file_and_fallbacks)
{
    char out[256];
    const char *body =
        "--b0\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
        "--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\ntype,stem\r\nx,y\r\n"
        "--b0--\r\n";
    CHECK_INT(find("multipart/form-data; boundary=b0", body, "file", out, sizeof out), 0);
    CHECK_STR(out, "type,stem\r\nx,y");
    CHECK_INT(find("multipart/form-data; boundary=\"b0\"", body, "note", out, sizeof out), 0);
    CHECK_STR(out, "hi");
    /* no part named so: the one with a filename */
    CHECK_INT(find("multipart/form-data; charset=utf-8; boundary=b0", body, "upload", out, sizeof out), 0);
    CHECK_STR(out, "type,stem\r\nx,y");
    /* preamble before the first delimiter, a part without headers */
    const char *b2 = "preamble\r\n--q\r\n\r\nraw\r\n--q--";
    CHECK_INT(find("multipart/form-data; boundary=q", b2, NULL, out, sizeof out), 0);
    CHECK_STR(out, "raw");
    /* the boundary text inside content without the CRLF-- prefix is data */
    const char *b3 = "--q\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\na--q\r\nb\r\n--q--\r\n";
    CHECK_INT(find("multipart/form-data; boundary=q", b3, "file", out, sizeof out), 0);
    CHECK_STR(out, "a--q\r\nb");
}

TEST(malformed)
{
    char out[64];
    CHECK_INT(find("multipart/form-data", "--x\r\n\r\na\r\n--x--", NULL, out, sizeof out), -1);
    CHECK_INT(find("multipart/form-data; boundary=", "--\r\n\r\na\r\n----", NULL, out, sizeof out), -1);
    CHECK_INT(find("multipart/form-data; boundary=x", "no delimiter at all", NULL, out, sizeof out), -1);
    CHECK_INT(find("multipart/form-data; boundary=x", "--x\r\nContent-Type: a", NULL, out, sizeof out), -1);
    CHECK_INT(find("multipart/form-data; boundary=x", "--x\r\n\r\nnever closed", NULL, out, sizeof out), -1);
    CHECK_INT(find("multipart/form-data; boundary=x", "--xgarbage", NULL, out, sizeof out), -1);
    CHECK_INT(find("multipart/form-data; boundary=\"x", "--x\r\n\r\na\r\n--x--", NULL, out, sizeof out), -1);
    char longb[100];
    memset(longb, 'a', 80);
    longb[80] = 0;
    char ct[160];
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", longb);
    CHECK_INT(find(ct, "--x", NULL, out, sizeof out), -1);
    CHECK_INT(find("multipart/form-data; boundary=x", "--x--", NULL, out, sizeof out), -1);   /* no parts */
}

int main(void)
{
    RUN(content_type);
    RUN(named_file_and_fallbacks);
    RUN(malformed);
    return check_summary();
}
