/* cert_pdf.c: the study-hours certificate as a PDF, with libharu and an
 * embedded TrueType CJK font (WenQuanYi Micro Hei: its outlines are glyf,
 * which libharu embeds; Noto CJK's are CFF and it cannot). Embedding makes
 * each file about 1 MB, which is why certificate.c keeps what it made. */
#include "engines/prizes/prizes.h"

#include <hpdf.h>
#include <stdlib.h>
#include <string.h>

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    (void)detail_no;
    *(HPDF_STATUS *)user = error_no;
}

static void centered(HPDF_Page page, HPDF_Font font, float size, float y, const char *text)
{
    HPDF_Page_SetFontAndSize(page, font, size);
    float w = HPDF_Page_TextWidth(page, text);
    HPDF_Page_BeginText(page);
    HPDF_Page_TextOut(page, (HPDF_Page_GetWidth(page) - w) / 2, y, text);
    HPDF_Page_EndText(page);
}

static void left(HPDF_Page page, HPDF_Font font, float size, float x, float y, const char *text)
{
    HPDF_Page_SetFontAndSize(page, font, size);
    HPDF_Page_BeginText(page);
    HPDF_Page_TextOut(page, x, y, text);
    HPDF_Page_EndText(page);
}

static void draw_page(HPDF_Page page, HPDF_Font font, const cert_text_t *t)
{
    float w = HPDF_Page_GetWidth(page), h = HPDF_Page_GetHeight(page);
    HPDF_Page_SetRGBStroke(page, 0.62f, 0.12f, 0.12f);
    HPDF_Page_SetLineWidth(page, 4);
    HPDF_Page_Rectangle(page, 28, 28, w - 56, h - 56);
    HPDF_Page_Stroke(page);
    HPDF_Page_SetLineWidth(page, 1);
    HPDF_Page_Rectangle(page, 38, 38, w - 76, h - 76);
    HPDF_Page_Stroke(page);
    HPDF_Page_SetRGBFill(page, 0.62f, 0.12f, 0.12f);
    centered(page, font, 40, h - 130, "学 时 证 明");
    HPDF_Page_SetRGBFill(page, 0, 0, 0);
    char line[512];
    snprintf(line, sizeof line, "兹证明  %s  （%s）", t->name, t->unit);
    left(page, font, 20, 90, h - 210, line);
    snprintf(line, sizeof line, "参加《%s》，成绩 %lld 分，", t->contest, t->score);
    left(page, font, 20, 90, h - 250, line);
    snprintf(line, sizeof line, "达到学时认定标准，认定学习 %d 学时。", t->hours);
    left(page, font, 20, 90, h - 290, line);
    snprintf(line, sizeof line, "证书编号：%s", t->serial);
    left(page, font, 13, 90, 120, line);
    snprintf(line, sizeof line, "核验地址：%s", t->link);
    left(page, font, 13, 90, 98, line);
    snprintf(line, sizeof line, "安全生产月活动组委会    %s", t->date);
    HPDF_Page_SetFontAndSize(page, font, 16);
    float lw = HPDF_Page_TextWidth(page, line);
    left(page, font, 16, w - 90 - lw, 160, line);
}

int prizes_cert_pdf(const cert_text_t *t, const char *font_path, unsigned char **out, size_t *len)
{
    HPDF_STATUS err = 0;
    *out = NULL;
    *len = 0;
    HPDF_Doc pdf = HPDF_New(on_error, &err);
    if (!pdf)
        return -1;
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, "UTF-8");
    HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, "Study-hours certificate");
    size_t fl = strlen(font_path);
    const char *fname = fl > 4 && strcmp(font_path + fl - 4, ".ttc") == 0
                            ? HPDF_LoadTTFontFromFile2(pdf, font_path, 0, HPDF_TRUE)
                            : HPDF_LoadTTFontFromFile(pdf, font_path, HPDF_TRUE);
    HPDF_Font font = fname && !err ? HPDF_GetFont(pdf, fname, "UTF-8") : NULL;
    HPDF_Page page = font && !err ? HPDF_AddPage(pdf) : NULL;
    if (page) {
        HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
        draw_page(page, font, t);
    }
    if (page && !err && HPDF_SaveToStream(pdf) == HPDF_OK) {
        HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
        unsigned char *buf = size ? malloc(size) : NULL;
        HPDF_STATUS rs = buf ? HPDF_ReadFromStream(pdf, buf, &size) : HPDF_FAILD_TO_ALLOC_MEM;
        if (buf && (rs == HPDF_OK || rs == HPDF_STREAM_EOF) && size > 0) {
            *out = buf;
            *len = size;
        } else {
            free(buf);
        }
    }
    HPDF_Free(pdf);
    return *out ? 0 : -1;
}
