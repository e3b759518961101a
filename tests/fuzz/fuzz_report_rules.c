/* fuzz_report_rules.c: libFuzzer target for the reports' rules that read
 * outside text: the dates of a report period (an organizer types them),
 * and the CSV cell writer (any text a person registered).
 *
 *   make build-fuzz/fuzz_report_rules && build-fuzz/fuzz_report_rules tests/fuzz/corpus/report_rules/
 *
 * Besides the sanitizers it checks the contracts: a CSV field never starts
 * with a formula character (after an optional quote), quotes come in
 * pairs inside a quoted field, the written length is what is returned;
 * a parsed period is non-empty, day-aligned in Shanghai, a week is 7 days
 * and starts on a Monday. */
#include "rules/export_cell.h"
#include "rules/score.h"
#include "rules/week.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(const char *in)
{
    size_t cap = 2 * strlen(in) + 4;
    char *out = malloc(cap);
    long n = rules_csv_field(in, out, cap);
    if (n < 0 || (size_t)n != strlen(out))
        abort();
    const char *body = out[0] == '"' ? out + 1 : out;
    if (rules_cell_is_formula(body))
        abort();
    if (out[0] == '"') {
        if (n < 2 || out[n - 1] != '"')
            abort();
        for (long i = 1; i < n - 1; i++)
            if (out[i] == '"' && out[++i] != '"')
                abort();
    } else if (strpbrk(out, ",\"\r\n")) {
        abort();
    }
    (void)rules_display_width(in);
    free(out);
}

static void check_period(const rules_period_t *p, int week)
{
    if (p->to <= p->from || (p->from + 8 * 3600) % 86400 != 0 || (p->to + 8 * 3600) % 86400 != 0)
        abort();
    if (week && (p->to - p->from != 7 * 86400 || rules_week_of(p->from).from != p->from))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    check_field(in);
    rules_period_t p;
    if (rules_week_from_date(in, &p) == 0)
        check_period(&p, 1);
    char *bar = strchr(in, '|');
    if (bar) {
        *bar = '\0';
        if (rules_period_from_dates(in, bar + 1, 366, &p) == 0)
            check_period(&p, 0);
    }
    free(in);
    return 0;
}
