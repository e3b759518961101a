/* qr_png.h: a standard QR code as a PNG image, made locally (libqrencode
 * for the symbol, libpng for the file): the fallback when WeChat cannot
 * make a mini-program code. WeChat opens the mini-program when such a code
 * holds a link under the prefix configured in its "scan ordinary links"
 * setting (扫普通链接二维码打开小程序). */
#ifndef QR_PNG_H
#define QR_PNG_H

#include <stddef.h>

/* Encodes text (1..1024 bytes) at error correction level M as a 1-bit
 * grayscale PNG, scale pixels per module (1..32), with the 4-module quiet
 * zone the standard asks for. Returns 0 with *png malloc'd (the caller
 * frees it) and *len its size, or -1 (*png = NULL). */
int qr_png_encode(const char *text, int scale, unsigned char **png, size_t *len);

#endif
