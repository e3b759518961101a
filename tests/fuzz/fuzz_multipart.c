/* fuzz_multipart.c: the multipart scan on outside bytes. The first byte
 * picks a boundary form; the rest is the body. The .c is included (as
 * h2o's unit tests do) because fuzz builds leave handlers/ out. */
#include "lib/multipart.c"
#include "rules/media_type.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cts[] = {
        "multipart/form-data; boundary=x",
        "multipart/form-data; boundary=\"----b\"",
        "multipart/form-data; boundary=",
        "multipart/form-data",
    };
    if (size < 1)
        return 0;
    const char *ct = cts[data[0] % 4];
    /* A copy of exactly size-1 bytes, so reads past the end are caught. */
    char *body = malloc(size - 1 ? size - 1 : 1);
    if (!body)
        return 0;
    memcpy(body, data + 1, size - 1);
    const char *d;
    size_t n;
    if (multipart_find_file(ct, body, size - 1, "file", &d, &n) == 0) {
        if (d < body || d + n > body + size - 1)
            abort();
    }
    /* the upload route's path: one file, then its type judged by its bytes */
    size_t files;
    if (multipart_only_file(ct, body, size - 1, "file", &d, &n, &files) == 0) {
        if (d < body || d + n > body + size - 1 || files > size)
            abort();
        rules_media_type_sniff((const unsigned char *)d, n);
    }
    free(body);
    return 0;
}
