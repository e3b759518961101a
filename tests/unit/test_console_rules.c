/* test_console_rules.c: organizer areas (rules/area.h), file types judged
 * by their bytes (rules/media_type.h) and the one-file multipart count the
 * upload route relies on (handlers/multipart.h). */
#include "tests/unit/check.h"
#include "rules/area.h"
#include "rules/media_type.h"
#include "lib/multipart.h"

#include <stdlib.h>

TEST(area_covers)
{
    CHECK(rules_area_covers("", "140000", "140400", "140404"));
    CHECK(rules_area_covers(NULL, "140000", NULL, NULL));
    CHECK(rules_area_covers("140000", "140000", "140400", "140404"));
    CHECK(rules_area_covers("140400", "140000", "140400", "140404"));
    CHECK(rules_area_covers("140404", "140000", "140400", "140404"));
    CHECK(!rules_area_covers("130000", "140000", "140400", "140404"));
    CHECK(!rules_area_covers("140500", "140000", "140400", NULL));
    /* a province-level unit is outside any city's area */
    CHECK(!rules_area_covers("140400", "140000", NULL, NULL));
    CHECK(!rules_area_covers("140400", "140000", "", ""));
}

static const unsigned char PNG_MIN[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
    0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE,
    0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82,
};

TEST(media_types_by_bytes)
{
    const char pdf[] = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    CHECK_STR(rules_media_type_sniff((const unsigned char *)pdf, sizeof pdf - 1), "application/pdf");
    CHECK(!rules_media_type_sniff((const unsigned char *)pdf, 20));          /* cut before %%EOF */
    CHECK_STR(rules_media_type_sniff(PNG_MIN, sizeof PNG_MIN), "image/png");
    CHECK(!rules_media_type_sniff(PNG_MIN, sizeof PNG_MIN - 12));            /* no IEND */
    const unsigned char jpg[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 0xFF, 0xD9 };
    CHECK_STR(rules_media_type_sniff(jpg, sizeof jpg), "image/jpeg");
    CHECK(!rules_media_type_sniff(jpg, sizeof jpg - 2));                     /* no EOI */
    CHECK(!rules_media_type_sniff((const unsigned char *)"", 0));
    CHECK(!rules_media_type_sniff(NULL, 10));
    CHECK(!rules_media_type_sniff((const unsigned char *)"GIF89a......................", 26));
    CHECK(!rules_media_type_sniff((const unsigned char *)"<svg xmlns='x'></svg>", 21));
    CHECK_STR(rules_media_type_ext("application/pdf"), "pdf");
    CHECK_STR(rules_media_type_ext("image/jpeg"), "jpg");
    CHECK_STR(rules_media_type_ext("image/png"), "png");
    CHECK_STR(rules_media_type_ext("text/html"), "bin");
}

TEST(multipart_counts_files)
{
    const char *ct = "multipart/form-data; boundary=b0";
    const char *one = "--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\nPDF\r\n--b0--\r\n";
    const char *two = "--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\nA\r\n"
                      "--b0\r\nContent-Disposition: form-data; name=\"x\"; filename=\"b.pdf\"\r\n\r\nB\r\n--b0--\r\n";
    const char *note = "--b0\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"
                       "--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../x\"\r\n\r\nF\r\n--b0--\r\n";
    const char *d;
    size_t n, files;
    CHECK_INT(multipart_only_file(ct, one, strlen(one), "file", &d, &n, &files), 0);
    CHECK_INT(files, 1);
    CHECK_INT(n, 3);
    CHECK_INT(multipart_only_file(ct, two, strlen(two), "file", &d, &n, &files), 0);
    CHECK_INT(files, 2);
    CHECK_INT(multipart_only_file(ct, note, strlen(note), "file", &d, &n, &files), 0);
    CHECK_INT(files, 1);
    CHECK(n == 1 && d[0] == 'F');
    /* truncated: no closing delimiter */
    CHECK_INT(multipart_only_file(ct, one, strlen(one) - 9, "file", &d, &n, &files), -1);
}

int main(void)
{
    RUN(area_covers);
    RUN(media_types_by_bytes);
    RUN(multipart_counts_files);
    return check_summary();
}
