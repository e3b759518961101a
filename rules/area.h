/* area.h: an organizer's area (all of the country, a province, a city or
 * a county) and what it covers. Pure: no I/O. */
#ifndef RULES_AREA_H
#define RULES_AREA_H

/* 1 when area ("" = all, else a 6-digit region code) covers something
 * whose province, city and county codes are given (city and county may be
 * NULL or ""): the area is one of them. 0 otherwise. */
int rules_area_covers(const char *area, const char *province, const char *city, const char *county);

/* The SQL condition for the same test on a table alias t with columns
 * province_code, city_code, county_code; binds four strings, each the area
 * (types "ssss"). */
#define RULES_AREA_SQL(t) \
    " (? = '' OR " t ".province_code = ? OR " t ".city_code = ? OR " t ".county_code = ?)"

#endif
