/* password.c: see password.h. */
#include "engines/accounts/password.h"
#include "server/clock.h"
#include "lib/crypto.h"

#include <argon2.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

/* Salt and tag of a real hash (of a fixed string; a match against the
 * dummy is never accepted), so that
 * verifying against the dummy decodes and costs exactly what a real
 * verification does; the costs are spliced in from the settings above.
 * (libargon2 rejects non-canonical base64, so these are not made up.) */
#define DUMMY_SALT "hR/E6+44KLtMfGDDLhvm+A"
#define DUMMY_TAG "JgR2sJwBILO01cFYbPrQGyXYyVHAkG/0BaoE+edOo9Q"

static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_cv = PTHREAD_COND_INITIALIZER;
static int slots_used;

static int slot_take(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PASSWORD_WAIT_MS / 1000;
    until.tv_nsec += (long)(PASSWORD_WAIT_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&slot_mu);
    while (slots_used >= PASSWORD_PARALLEL) {
        if (pthread_cond_timedwait(&slot_cv, &slot_mu, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&slot_mu);
            return -1;
        }
    }
    slots_used++;
    pthread_mutex_unlock(&slot_mu);
    return 0;
}

static void slot_give(void)
{
    pthread_mutex_lock(&slot_mu);
    slots_used--;
    pthread_cond_signal(&slot_cv);
    pthread_mutex_unlock(&slot_mu);
}

int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX])
{
    unsigned char salt[16];
    if (len > PASSWORD_MAX_LEN || crypto_random_bytes(salt, sizeof salt) != 0)
        return -1;
    int rc = argon2id_hash_encoded(PASSWORD_T_COST, PASSWORD_M_COST_KIB, PASSWORD_PARALLELISM,
                                   pw, len, salt, sizeof salt, 32, out, PASSWORD_HASH_MAX);
    return rc == ARGON2_OK ? 0 : -1;
}

int password_verify(const char *encoded, const char *pw, size_t len)
{
    char dummy[PASSWORD_HASH_MAX];
    if (!encoded) {
        snprintf(dummy, sizeof dummy, "$argon2id$v=19$m=%d,t=%d,p=%d$" DUMMY_SALT "$" DUMMY_TAG,
                 PASSWORD_M_COST_KIB, PASSWORD_T_COST, PASSWORD_PARALLELISM);
        encoded = dummy;
    }
    if (len > PASSWORD_MAX_LEN)
        len = PASSWORD_MAX_LEN;   /* the caller refuses these; keep the cost bounded anyway */
    if (slot_take() < 0)
        return -2;
    int rc = argon2id_verify(encoded, pw, len);
    slot_give();
    return rc == ARGON2_OK && encoded != dummy;
}
