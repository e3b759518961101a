/* qr_png.c: see qr_png.h. */
#include "lib/qr_png.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4

typedef struct {
    unsigned char *data;
    size_t len, cap;
    int failed;
} membuf_t;

static void write_cb(png_structp p, png_bytep data, png_size_t n)
{
    membuf_t *b = png_get_io_ptr(p);
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

static void flush_cb(png_structp p) { (void)p; }

int qr_png_encode(const char *text, int scale, unsigned char **png, size_t *len)
{
    *png = NULL;
    *len = 0;
    if (!text || !*text || strlen(text) > 1024 || scale < 1 || scale > 32)
        return -1;
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return -1;
    int modules = qr->width;
    png_uint_32 side = (png_uint_32)((modules + 2 * QUIET) * scale);
    size_t rowbytes = (side + 7) / 8;
    /* Nothing below changes these locals after setjmp, so they keep their
     * values after libpng's longjmp; the output buffer lives on the heap
     * for the same reason. */
    unsigned char *row = malloc(rowbytes);
    membuf_t *buf = calloc(1, sizeof *buf);
    png_structp p = row && buf ? png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL)
                               : NULL;
    png_infop info = p ? png_create_info_struct(p) : NULL;
    if (!info || setjmp(png_jmpbuf(p))) {
        if (p)
            png_destroy_write_struct(&p, info ? &info : NULL);
        free(row);
        if (buf)
            free(buf->data);
        free(buf);
        QRcode_free(qr);
        return -1;
    }
    png_set_write_fn(p, buf, write_cb, flush_cb);
    png_set_IHDR(p, info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    for (png_uint_32 y = 0; y < side; y++) {
        /* 1 bit per pixel, most significant first; 1 = white */
        memset(row, 0xff, rowbytes);
        int my = (int)(y / (png_uint_32)scale) - QUIET;
        for (png_uint_32 x = 0; x < side && my >= 0 && my < modules; x++) {
            int mx = (int)(x / (png_uint_32)scale) - QUIET;
            if (mx >= 0 && mx < modules && (qr->data[my * modules + mx] & 1))
                row[x / 8] &= (unsigned char)~(0x80 >> (x % 8));
        }
        png_write_row(p, row);
    }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    free(row);
    QRcode_free(qr);
    int failed = buf->failed;
    if (failed)
        free(buf->data);
    else {
        *png = buf->data;
        *len = buf->len;
    }
    free(buf);
    return failed ? -1 : 0;
}
