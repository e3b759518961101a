/* media_type.h: what an uploaded file is, judged by its bytes (never by
 * its name or the Content-Type a client claims). Pure: no I/O. */
#ifndef RULES_MEDIA_TYPE_H
#define RULES_MEDIA_TYPE_H

#include <stddef.h>

/* "application/pdf", "image/jpeg" or "image/png" when data starts with
 * that format's signature and ends as the format requires (a PDF's %%EOF
 * near the end, JPEG's EOI marker, PNG's IEND chunk), so a truncated file
 * is refused too; NULL for anything else, including an empty file. */
const char *rules_media_type_sniff(const unsigned char *data, size_t len);

/* The file name extension for a media type from rules_media_type_sniff. */
const char *rules_media_type_ext(const char *media_type);

#endif
