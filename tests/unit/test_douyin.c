/* test_douyin.c: rules/douyin — Douyin link forms and the mail subject. */
#include "tests/unit/check.h"
#include "rules/douyin.h"

static const char *canon(const char *url)
{
    static char out[DOUYIN_URL_MAX + 1];
    return rules_douyin_url(url, out, sizeof out) == 0 ? out : NULL;
}

TEST(accepted_forms)
{
    CHECK_STR(canon("https://v.douyin.com/iRNBhuCX/"), "https://v.douyin.com/iRNBhuCX");
    CHECK_STR(canon("https://v.douyin.com/iRNBhuCX"), "https://v.douyin.com/iRNBhuCX");
    CHECK_STR(canon("https://www.douyin.com/video/7374628593627483419"),
              "https://www.douyin.com/video/7374628593627483419");
    CHECK_STR(canon("https://www.douyin.com/video/7374628593627483419?modeFrom=userPost&secUid=MS4w"),
              "https://www.douyin.com/video/7374628593627483419");
    CHECK_STR(canon("https://www.iesdouyin.com/share/video/7374628593627483419/?region=CN&mid=1"),
              "https://www.douyin.com/video/7374628593627483419");
}

TEST(refused_forms)
{
    static const char *const bad[] = {
        "http://v.douyin.com/iRNBhuCX/", "https://v.douyin.com/", "https://v.douyin.com/abc/",
        "https://v.douyin.com/iRNB huCX/", "https://v.douyin.com/iRNBhuCX/x", "https://v.douyin.com.evil.cn/iRNBhuCX/",
        "https://www.douyin.com/video/123", "https://www.douyin.com/video/7374628593627483419abc",
        "https://www.douyin.com/user/MS4wLjABAAAA", "https://www.youtube.com/watch?v=x",
        "复制打开抖音 https://v.douyin.com/iRNBhuCX/", " https://v.douyin.com/iRNBhuCX/",
        "https://www.douyin.com/video/7374628593627483419?a=<script>", "", "javascript:alert(1)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (canon(bad[i]))
            fprintf(stderr, "  accepted: %s\n", bad[i]);
        CHECK(canon(bad[i]) == NULL);
    }
    CHECK(canon(NULL) == NULL);
}

TEST(mail_subject)
{
    char s[200];
    CHECK_INT(rules_video_mail_subject("太原市水务局", "汛期安全第一课", s, sizeof s), 0);
    CHECK_STR(s, "水利安全+太原市水务局+汛期安全第一课");
    CHECK_INT(rules_video_mail_subject("太原市水务局", "汛期安全第一课", s, 10), -1);
}

int main(void)
{
    RUN(accepted_forms);
    RUN(refused_forms);
    RUN(mail_subject);
    return check_summary();
}
