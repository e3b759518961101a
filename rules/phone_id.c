/* phone_id.c: see phone_id.h. */
#include "rules/phone_id.h"

#include <string.h>

int rules_phone_canonical(const char *phone, char *out, size_t outsz)
{
    if (!phone)
        return -1;
    if (*phone == '+')
        phone++;
    size_t n = strlen(phone);
    if (n < 5 || n > 20 || strspn(phone, "0123456789") != n)
        return -1;
    /* 86 + an 11-digit mobile number starting with 1 */
    if (n == 13 && phone[0] == '8' && phone[1] == '6' && phone[2] == '1') {
        phone += 2;
        n -= 2;
    }
    if (n + 1 > outsz)
        return -1;
    memcpy(out, phone, n + 1);
    return 0;
}
