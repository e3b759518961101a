/* iso8601.c: see iso8601.h. */
#include "lib/iso8601.h"

#include <stdio.h>
#include <string.h>

#define SH_OFFSET (8 * 3600)
#define DAY 86400

static long long floor_div(long long a, long long b)
{
    long long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* ---- calendar (proleptic Gregorian), after H. Hinnant's algorithms ---- */

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = floor_div(y, 400);
    unsigned yoe = (unsigned)(y - era * 400);                          /* 0..399 */
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;      /* 0..365 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* 0..146096 */
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = floor_div(z, 146097);
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static unsigned days_in_month(long long y, unsigned m)
{
    static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

/* 0000-01-01T00:00:00+08:00 and 9999-12-31T23:59:59+08:00 */
#define ISO_MIN (-62167219200LL - SH_OFFSET)
#define ISO_MAX (253402300799LL - SH_OFFSET)

int iso8601_format_shanghai(long long epoch_s, char out[32])
{
    if (!out)
        return -1;
    out[0] = '\0';
    if (epoch_s < ISO_MIN || epoch_s > ISO_MAX)
        return -1;
    long long local = epoch_s + SH_OFFSET;
    long long day = floor_div(local, DAY);
    long long sod = local - day * DAY;
    long long y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    /* fixed-width fields, every value range-checked above */
    unsigned v[6] = { (unsigned)y, m, d, (unsigned)(sod / 3600),
                      (unsigned)(sod / 60 % 60), (unsigned)(sod % 60) };
    memcpy(out, "0000-00-00T00:00:00+08:00", 26);
    static const unsigned char pos[6] = { 3, 6, 9, 12, 15, 18 }, width[6] = { 4, 2, 2, 2, 2, 2 };
    for (int f = 0; f < 6; f++)
        for (unsigned k = 0, x = v[f]; k < width[f]; k++, x /= 10)
            out[pos[f] - k] = (char)('0' + x % 10);
    return 0;
}

/* n decimal digits at *p into *v; advances *p.  -1 when any is missing. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return 0;
}

int iso8601_parse(const char *s, long long *epoch_s)
{
    if (!s || !epoch_s)
        return -1;
    const char *p = s;
    int Y, M, D, h, mi, sec = 0;
    if (digits(&p, 4, &Y) || *p++ != '-' || digits(&p, 2, &M) || *p++ != '-' ||
        digits(&p, 2, &D))
        return -1;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
        return -1;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &sec))
            return -1;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            for (int i = 0; *p >= '0' && *p <= '9'; i++, p++)
                if (i >= 9)
                    return -1;
        }
    }
    long long offset = SH_OFFSET;
    if (*p == 'Z' || *p == 'z') {
        offset = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = sign * (oh * 3600LL + om * 60LL);
    }
    if (*p != '\0')
        return -1;
    if (M < 1 || M > 12 || D < 1 || (unsigned)D > days_in_month(Y, (unsigned)M) ||
        h > 23 || mi > 59 || sec > 59)
        return -1;
    *epoch_s = days_from_civil(Y, (unsigned)M, (unsigned)D) * DAY +
               h * 3600LL + mi * 60LL + sec - offset;
    return 0;
}
