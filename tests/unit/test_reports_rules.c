/* test_reports_rules.c: CSV cell neutralising, display widths, report
 * weeks in Asia/Shanghai and event check-in windows. */
#include "tests/unit/check.h"
#include "rules/event_window.h"
#include "rules/export_cell.h"
#include "rules/score.h"
#include "rules/week.h"

static long long t(const char *iso)
{
    long long v = -1;
    iso8601_parse(iso, &v);
    return v;
}

TEST(formula_prefixes_are_neutralised)
{
    char out[64];
    const char *bad[] = { "=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(rules_cell_is_formula(bad[i]));
        CHECK(rules_csv_field(bad[i], out, sizeof out) > 0);
    }
    rules_csv_field("=1+1", out, sizeof out);
    CHECK_STR(out, "'=1+1");
    rules_csv_field("=HYPERLINK(\"x\",\"y\")", out, sizeof out);
    CHECK_STR(out, "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
    rules_csv_field("\rx", out, sizeof out);
    CHECK_STR(out, "\"'\rx\"");
    rules_csv_field("张三", out, sizeof out);
    CHECK_STR(out, "张三");
    rules_csv_field("a,b", out, sizeof out);
    CHECK_STR(out, "\"a,b\"");
    rules_csv_field(NULL, out, sizeof out);
    CHECK_STR(out, "");
    CHECK(!rules_cell_is_formula("1-2"));
    CHECK(!rules_cell_is_formula(""));
    CHECK(!rules_cell_is_formula(NULL));
}

TEST(csv_field_refuses_a_small_buffer)
{
    char out[5];
    CHECK_INT(rules_csv_field("a,bc", out, sizeof out), -1);
    CHECK_STR(out, "");
    CHECK_INT(rules_csv_field("abcd", out, sizeof out), 4);
    CHECK_INT(rules_csv_field("=abc", out, sizeof out), -1);
}

TEST(display_width_counts_chinese_twice)
{
    CHECK_INT(rules_display_width("abc"), 3);
    CHECK_INT(rules_display_width("水利局"), 6);
    CHECK_INT(rules_display_width("A水１"), 5);
    CHECK_INT(rules_display_width("\xff"), 1);
    CHECK_INT(rules_display_width(NULL), 0);
}

TEST(weeks_run_monday_to_sunday_in_shanghai)
{
    /* 2024-06-17 was a Monday. Sunday 23:59 Shanghai is still that week;
     * Sunday 16:00 UTC is already Monday in Shanghai. */
    rules_period_t w = rules_week_of(t("2024-06-19T12:00:00+08:00"));
    CHECK_INT(w.from, t("2024-06-17T00:00:00+08:00"));
    CHECK_INT(w.to, t("2024-06-24T00:00:00+08:00"));
    w = rules_week_of(t("2024-06-23T23:59:59+08:00"));
    CHECK_INT(w.from, t("2024-06-17T00:00:00+08:00"));
    w = rules_week_of(t("2024-06-23T16:00:00Z"));
    CHECK_INT(w.from, t("2024-06-24T00:00:00+08:00"));
    w = rules_week_of(t("2024-06-17T00:00:00+08:00"));
    CHECK_INT(w.from, t("2024-06-17T00:00:00+08:00"));
    rules_period_t p = rules_period_before(w);
    CHECK_INT(p.from, t("2024-06-10T00:00:00+08:00"));
    CHECK_INT(p.to, w.from);
    /* before 1970 too */
    w = rules_week_of(t("1969-12-31T12:00:00+08:00"));
    CHECK_INT(w.from, t("1969-12-29T00:00:00+08:00"));
}

TEST(week_and_range_parsing)
{
    rules_period_t p;
    CHECK_INT(rules_week_from_date("2024-06-17", &p), 0);
    CHECK_INT(p.to - p.from, 7 * 86400);
    CHECK_INT(rules_week_from_date("2024-06-18", &p), -1);   /* a Tuesday */
    CHECK_INT(rules_week_from_date("2024-6-17", &p), -1);
    CHECK_INT(rules_week_from_date("2024-02-30", &p), -1);
    CHECK_INT(rules_week_from_date(NULL, &p), -1);
    CHECK_INT(rules_period_from_dates("2024-06-01", "2024-06-30", 366, &p), 0);
    CHECK_INT(p.from, t("2024-06-01T00:00:00+08:00"));
    CHECK_INT(p.to, t("2024-07-01T00:00:00+08:00"));
    CHECK_INT(rules_period_from_dates("2024-06-30", "2024-06-01", 366, &p), -1);
    CHECK_INT(rules_period_from_dates("2020-01-01", "2024-06-01", 366, &p), -1);
    CHECK_INT(rules_period_from_dates("2024-06-01", "2024-06-01T00", 366, &p), -1);
}

TEST(check_in_windows)
{
    rules_session_t s[2] = {
        { t("2024-06-16T09:00:00+08:00"), t("2024-06-16T11:30:00+08:00") },
        { t("2024-06-16T14:30:00+08:00"), t("2024-06-16T16:30:00+08:00") },
    };
    CHECK_INT(rules_sessions_valid(s, 2), 0);
    CHECK_INT(rules_event_open_session(s, 2, t("2024-06-16T08:40:00+08:00"), 900), -1);
    CHECK_INT(rules_event_open_session(s, 2, t("2024-06-16T08:50:00+08:00"), 900), 0);
    CHECK_INT(rules_event_open_session(s, 2, t("2024-06-16T11:45:00+08:00"), 900), 0);
    CHECK_INT(rules_event_open_session(s, 2, t("2024-06-16T12:00:00+08:00"), 900), -1);
    CHECK_INT(rules_event_open_session(s, 2, t("2024-06-16T15:00:00+08:00"), 0), 1);
    CHECK_INT(rules_event_open_session(s, 2, t("2024-06-16T16:46:00+08:00"), 900), -1);
    CHECK_STR(rules_event_status(s, 2, t("2024-06-16T08:00:00+08:00")), "upcoming");
    CHECK_STR(rules_event_status(s, 2, t("2024-06-16T10:00:00+08:00")), "open");
    CHECK_STR(rules_event_status(s, 2, t("2024-06-16T13:00:00+08:00")), "between");
    CHECK_STR(rules_event_status(s, 2, t("2024-06-16T17:00:00+08:00")), "ended");
    rules_session_t bad[2] = { s[1], s[0] };
    CHECK_INT(rules_sessions_valid(bad, 2), -1);
    rules_session_t empty = { 5, 5 };
    CHECK_INT(rules_sessions_valid(&empty, 1), -1);
}

int main(void)
{
    RUN(formula_prefixes_are_neutralised);
    RUN(csv_field_refuses_a_small_buffer);
    RUN(display_width_counts_chinese_twice);
    RUN(weeks_run_monday_to_sunday_in_shanghai);
    RUN(week_and_range_parsing);
    RUN(check_in_windows);
    return check_summary();
}
