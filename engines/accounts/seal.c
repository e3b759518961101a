/* seal.c: see seal.h. */
#include "engines/accounts/seal.h"
#include "server/config.h"
#include "server/log.h"
#include "lib/crypto.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static unsigned char key[32];
static int key_ok;

static void key_init(void)
{
    key_ok = crypto_hex_decode(g_config.phone_key_hex, key, sizeof key) == 0;
    if (!key_ok)
        log_error("phone_key_hex is not 64 hex digits: nothing can be sealed");
}

const unsigned char *seal_key(void)
{
    pthread_once(&key_once, key_init);
    return key_ok ? key : NULL;
}

int seal_str(req_t *r, const char *plain, char **out)
{
    const unsigned char *k = seal_key();
    char *b64 = NULL;
    *out = NULL;
    if (!k || crypto_seal(k, plain, &b64) != 0)
        return -1;
    *out = arena_strdup(r->arena, b64);
    free(b64);
    return 0;
}

int unseal_str(req_t *r, const char *sealed, char **out)
{
    const unsigned char *k = seal_key();
    char *plain = NULL;
    *out = NULL;
    if (!k || !sealed || crypto_open(k, sealed, &plain) != 0)
        return -1;
    *out = arena_strdup(r->arena, plain);
    /* volatile-free wipe: explicit_bzero is in glibc since 2.25 */
    explicit_bzero(plain, strlen(plain));
    free(plain);
    return 0;
}
