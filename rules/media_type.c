/* media_type.c: see media_type.h. */
#define _GNU_SOURCE   /* memmem */
#include "rules/media_type.h"

#include <string.h>

/* PDF readers accept the %%EOF marker within the last 1024 bytes. */
static int pdf_ok(const unsigned char *d, size_t n)
{
    if (n < 16 || memcmp(d, "%PDF-", 5) != 0)
        return 0;
    size_t tail = n < 1024 ? n : 1024;
    return memmem(d + n - tail, tail, "%%EOF", 5) != NULL;
}

static int jpeg_ok(const unsigned char *d, size_t n)
{
    if (n < 8 || d[0] != 0xFF || d[1] != 0xD8 || d[2] != 0xFF)
        return 0;
    /* EOI, possibly followed by a little padding some cameras add */
    size_t tail = n < 64 ? n : 64;
    for (size_t i = n - tail; i + 1 < n; i++)
        if (d[i] == 0xFF && d[i + 1] == 0xD9)
            return 1;
    return 0;
}

static int png_ok(const unsigned char *d, size_t n)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
    static const unsigned char iend[8] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D' };
    if (n < 8 + 25 + 12 || memcmp(d, sig, 8) != 0)
        return 0;
    /* the last chunk: length 0, "IEND", CRC */
    return memcmp(d + n - 12, iend, 8) == 0;
}

const char *rules_media_type_sniff(const unsigned char *data, size_t len)
{
    if (!data || !len)
        return NULL;
    if (pdf_ok(data, len))
        return "application/pdf";
    if (jpeg_ok(data, len))
        return "image/jpeg";
    if (png_ok(data, len))
        return "image/png";
    return NULL;
}

const char *rules_media_type_ext(const char *mt)
{
    if (!mt)
        return "bin";
    if (strcmp(mt, "application/pdf") == 0)
        return "pdf";
    if (strcmp(mt, "image/jpeg") == 0)
        return "jpg";
    if (strcmp(mt, "image/png") == 0)
        return "png";
    return "bin";
}
