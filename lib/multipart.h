/* multipart.h: the file inside a multipart/form-data body (RFC 7578), as
 * browsers and wx.uploadFile send it. A bounded, copy-free scan: the part
 * found is returned as a pointer into the body. */
#ifndef MULTIPART_H
#define MULTIPART_H

#include <stddef.h>

/* 1 when content_type is multipart/form-data (any case, any parameters). */
int multipart_is_form(const char *content_type);

/* Find the part named want_name (e.g. "file"), else the first part that
 * carries a filename, else the first part. The boundary comes from
 * content_type (quoted or not, 1..70 characters as RFC 2046 allows).
 * Returns 0 with *data and *len set to the part's content (without the
 * CRLF before the next delimiter), or -1 when the body is not well-formed
 * multipart: no boundary, no opening delimiter, a part without its header
 * end, or a part that runs past the body without a closing delimiter. */
int multipart_find_file(const char *content_type, const char *body, size_t body_len,
                        const char *want_name, const char **data, size_t *len);

/* As multipart_find_file, and *nfiles = the number of parts that carry a
 * file name or are named want_name (an upload of one file refuses more). */
int multipart_only_file(const char *content_type, const char *body, size_t body_len,
                        const char *want_name, const char **data, size_t *len, size_t *nfiles);

#endif
