/* test_qr_png.c: lib/qr_png — the local QR code is a real PNG whose
 * pixels are the libqrencode symbol, quiet zone included. */
#include "tests/unit/check.h"
#include "lib/qr_png.h"

#include <png.h>
#include <qrencode.h>
#include <stdlib.h>

/* Decode a PNG from memory into 8-bit gray; returns pixels or NULL. */
static unsigned char *decode(const unsigned char *data, size_t len, unsigned *w, unsigned *h)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, data, len))
        return NULL;
    img.format = PNG_FORMAT_GRAY;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
        free(px);
        png_image_free(&img);
        return NULL;
    }
    *w = img.width;
    *h = img.height;
    return px;
}

TEST(encodes_the_symbol)
{
    const char *text = "https://quiz.example.org/join?u=12345";
    unsigned char *png;
    size_t len;
    CHECK_INT(qr_png_encode(text, 4, &png, &len), 0);
    CHECK(png != NULL && len > 100);
    CHECK_MEM(png, "\x89PNG\r\n\x1a\n", 8);
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    unsigned w = 0, h = 0;
    unsigned char *px = decode(png, len, &w, &h);
    CHECK(px != NULL);
    CHECK_INT(w, (unsigned)(qr->width + 8) * 4);
    CHECK_INT(h, w);
    int wrong = 0;
    for (unsigned y = 0; px && y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            int mx = (int)x / 4 - 4, my = (int)y / 4 - 4;
            int black = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
                        (qr->data[my * qr->width + mx] & 1);
            if ((px[y * w + x] == 0) != black)
                wrong++;
        }
    CHECK_INT(wrong, 0);
    /* the top-left finder pattern's corner is black, the quiet zone white */
    CHECK(px && px[(4 * 4) * w + 4 * 4] == 0);
    CHECK(px && px[0] == 255);
    free(px);
    QRcode_free(qr);
    free(png);
}

TEST(refuses_bad_input)
{
    unsigned char *png = (unsigned char *)"x";
    size_t len = 1;
    CHECK_INT(qr_png_encode("", 4, &png, &len), -1);
    CHECK(png == NULL && len == 0);
    CHECK_INT(qr_png_encode(NULL, 4, &png, &len), -1);
    CHECK_INT(qr_png_encode("abc", 0, &png, &len), -1);
    CHECK_INT(qr_png_encode("abc", 33, &png, &len), -1);
    char big[1100];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(qr_png_encode(big, 4, &png, &len), -1);
}

int main(void)
{
    RUN(encodes_the_symbol);
    RUN(refuses_bad_input);
    return check_summary();
}
