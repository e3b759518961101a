/* test_org_name.c: rules/org_name — unit and organisation names, contact phones. */
#include "tests/unit/check.h"
#include "rules/org_name.h"

TEST(org_names_accepted)
{
    CHECK(rules_org_name_valid("长治市上党区水利局"));
    CHECK(rules_org_name_valid("山西省水利厅（机关）"));
    CHECK(rules_org_name_valid("中国水利水电第十四工程局有限公司"));
    CHECK(rules_org_name_valid("ABC水务(集团)有限公司"));
    CHECK(rules_org_name_valid("北京市水务局·南水北调办公室"));
    CHECK(rules_org_name_valid("第2水厂"));
    CHECK(rules_org_name_valid("Water & Power Co."));
    CHECK(rules_org_name_valid("《水利》杂志社"));
    CHECK(rules_org_name_valid("二〇〇一水库管理所"));
    CHECK(rules_org_name_valid("水利局、水务局"));
    CHECK(rules_org_name_valid("ＡＢＣ水务"));                /* full-width letters */
    CHECK(rules_org_name_valid("\xf0\xa0\xae\xb7水站"));      /* Ext. B */
}

TEST(org_names_refused)
{
    CHECK(!rules_org_name_valid(NULL));
    CHECK(!rules_org_name_valid(""));
    CHECK(!rules_org_name_valid("12345"));                   /* no word at all */
    CHECK(!rules_org_name_valid("()--"));
    CHECK(!rules_org_name_valid("水利局'; DROP TABLE units; --"));
    CHECK(!rules_org_name_valid("水利局\" OR \"1\"=\"1"));
    CHECK(!rules_org_name_valid("水利%局"));
    CHECK(!rules_org_name_valid("水利_局"));
    CHECK(!rules_org_name_valid("<script>水利局"));
    CHECK(!rules_org_name_valid("水利局\xf0\x9f\x98\x80"));   /* emoji */
    CHECK(!rules_org_name_valid("水利  局"));                 /* two spaces */
    CHECK(!rules_org_name_valid(" 水利局"));
    CHECK(!rules_org_name_valid("水利局 "));
    CHECK(!rules_org_name_valid("水利\xe5\xb1"));             /* truncated UTF-8 */
    CHECK(!rules_org_name_valid("水利\t局"));
}

TEST(phones)
{
    char out[32];
    CHECK_INT(rules_contact_phone_clean("13800138000", out, sizeof out), 11);
    CHECK_STR(out, "13800138000");
    CHECK_INT(rules_contact_phone_clean("0351-1234567", out, sizeof out), 11);
    CHECK_STR(out, "0351-1234567");
    CHECK_INT(rules_contact_phone_clean("+86 138 0013 8000", out, sizeof out), 13);
    CHECK_STR(out, "+8613800138000");
    CHECK_INT(rules_contact_phone_clean("12345", out, sizeof out), 5);
    CHECK_INT(rules_contact_phone_clean("1234", out, sizeof out), -1);
    CHECK_STR(out, "");
    CHECK_INT(rules_contact_phone_clean("", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean(NULL, out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("138-", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("-13800138000", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("138--00138000", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("1380013800a", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("138 0013 8000; DROP", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("１３８００１３８０００", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("123456789012345678901", out, sizeof out), -1);
    CHECK_INT(rules_contact_phone_clean("13800138000", out, 5), -1);   /* does not fit */
    CHECK_STR(out, "");
}

int main(void)
{
    RUN(org_names_accepted);
    RUN(org_names_refused);
    RUN(phones);
    return check_summary();
}
