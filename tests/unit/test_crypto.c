/* test_crypto.c: lib/crypto against published and independently made
 * vectors (SHA-256, HMAC, AES-256-GCM sealing, hex) and the properties of
 * the one random source (tokens, per thread, after fork()). The AES-GCM
 * vector was made with Python's `cryptography` package, so it checks this
 * code against a second implementation rather than against itself. */
#include "tests/unit/check.h"
#include "lib/crypto.h"

#include <mbedtls/base64.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* AES-256-GCM, key = bytes 0..31, nonce = bytes 0..11, plaintext "13812345678", no AAD. */
static const char V_SEALED[] = "AAECAwQFBgcICQoLdjHuKvfW9i67dq+ZZQC3ewJ6Ajj0gT8AIxZh";

static size_t b64dec(const char *s, unsigned char *out, size_t cap)
{
    size_t olen = 0;
    if (mbedtls_base64_decode(out, cap, &olen, (const unsigned char *)s, strlen(s)) != 0)
        return 0;
    return olen;
}

static void b64enc(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t olen = 0;
    if (mbedtls_base64_encode((unsigned char *)out, cap, &olen, in, n) != 0)
        out[0] = '\0';
}

TEST(hmac_published_vector)
{
    char hex[65];
    const char *key = "o0q0otL8aEzpcZL/FT9WsQ==";
    const char *msg = "{\"foo\":\"bar\"}";
    CHECK_INT(crypto_hmac_sha256_hex(key, strlen(key), msg, strlen(msg), hex), 0);
    CHECK_STR(hex, "654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b");
    /* empty message (checksession signs "") and NULL with zero length */
    CHECK_INT(crypto_hmac_sha256_hex(key, strlen(key), NULL, 0, hex), 0);
    CHECK_INT(strlen(hex), 64);
    CHECK_INT(crypto_hmac_sha256_hex(NULL, 5, msg, strlen(msg), hex), CRYPTO_EINPUT);
    CHECK_STR(hex, "");
}

TEST(sha256_vectors)
{
    char hex[65];
    CHECK_INT(crypto_sha256_hex("abc", 3, hex), 0);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_INT(crypto_sha256_hex(NULL, 0, hex), 0);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static const unsigned char KEY32[32] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};

TEST(seal_open_round_trip)
{
    char *a = NULL, *b = NULL, *plain = NULL;
    CHECK_INT(crypto_seal(KEY32, "13812345678", &a), 0);
    CHECK_INT(crypto_seal(KEY32, "13812345678", &b), 0);
    CHECK(a && b);
    if (!a || !b)
        return;
    CHECK_INT(strlen(a), 52);          /* base64 of 12 + 11 + 16 bytes */
    CHECK(strcmp(a, b) != 0);          /* fresh nonce each time */
    CHECK_INT(crypto_open(KEY32, a, &plain), 0);
    CHECK_STR(plain, "13812345678");
    free(plain);
    CHECK_INT(crypto_open(KEY32, b, &plain), 0);
    CHECK_STR(plain, "13812345678");
    free(plain);
    free(a);
    free(b);

    /* empty and UTF-8 secrets */
    CHECK_INT(crypto_seal(KEY32, "", &a), 0);
    CHECK_INT(crypto_open(KEY32, a, &plain), 0);
    CHECK_STR(plain, "");
    free(plain);
    free(a);
    CHECK_INT(crypto_seal(KEY32, "张三 +86 138-1234-5678", &a), 0);
    CHECK_INT(crypto_open(KEY32, a, &plain), 0);
    CHECK_STR(plain, "张三 +86 138-1234-5678");
    free(plain);
    free(a);
}

TEST(open_python_vector)
{
    char *plain = NULL;
    CHECK_INT(crypto_open(KEY32, V_SEALED, &plain), 0);
    CHECK_STR(plain, "13812345678");
    free(plain);
}

TEST(open_detects_tampering)
{
    unsigned char raw[64];
    char b64[100];
    size_t n = b64dec(V_SEALED, raw, sizeof raw);
    CHECK_INT(n, 39);
    int rejected = 0;
    for (size_t i = 0; i < n; i++) {
        raw[i] ^= 0x80;
        b64enc(raw, n, b64, sizeof b64);
        char *plain = NULL;
        if (crypto_open(KEY32, b64, &plain) == CRYPTO_EDECRYPT && plain == NULL)
            rejected++;
        free(plain);
        raw[i] ^= 0x80;
    }
    CHECK_INT(rejected, (long long)n);

    unsigned char other[32];
    memcpy(other, KEY32, 32);
    other[31] ^= 1;
    char *plain = (char *)1;
    CHECK_INT(crypto_open(other, V_SEALED, &plain), CRYPTO_EDECRYPT);
    CHECK(plain == NULL);
    /* shorter than nonce + tag; truncated tag; not base64 */
    b64enc(raw, 27, b64, sizeof b64);
    CHECK_INT(crypto_open(KEY32, b64, &plain), CRYPTO_EINPUT);
    b64enc(raw, n - 1, b64, sizeof b64);
    CHECK_INT(crypto_open(KEY32, b64, &plain), CRYPTO_EDECRYPT);
    CHECK_INT(crypto_open(KEY32, "not base64!", &plain), CRYPTO_EINPUT);
    CHECK_INT(crypto_open(KEY32, NULL, &plain), CRYPTO_EINPUT);
    CHECK(plain == NULL);

    /* oversized plaintext is refused rather than sealed */
    char *big = malloc(CRYPTO_SEAL_MAX_PLAIN + 2);
    memset(big, '1', CRYPTO_SEAL_MAX_PLAIN + 1);
    big[CRYPTO_SEAL_MAX_PLAIN + 1] = '\0';
    char *sealed = (char *)1;
    CHECK_INT(crypto_seal(KEY32, big, &sealed), CRYPTO_EINPUT);
    CHECK(sealed == NULL);
    big[CRYPTO_SEAL_MAX_PLAIN] = '\0';
    CHECK_INT(crypto_seal(KEY32, big, &sealed), 0);
    CHECK_INT(crypto_open(KEY32, sealed, &plain), 0);
    CHECK_INT(plain ? strlen(plain) : 0, CRYPTO_SEAL_MAX_PLAIN);
    free(plain);
    free(sealed);
    free(big);
}

TEST(hex_decode)
{
    unsigned char out[4];
    CHECK_INT(crypto_hex_decode("00ff7A10", out, 4), 0);
    CHECK_MEM(out, "\x00\xff\x7a\x10", 4);
    CHECK_INT(crypto_hex_decode("00ff7a1", out, 4), CRYPTO_EINPUT);
    CHECK_INT(crypto_hex_decode("00ff7a100", out, 4), CRYPTO_EINPUT);
    CHECK_INT(crypto_hex_decode("00ff7g10", out, 4), CRYPTO_EINPUT);
    CHECK_MEM(out, "\0\0\0\0", 4);
    CHECK_INT(crypto_hex_decode(" 0ff7a10", out, 4), CRYPTO_EINPUT);
    CHECK_INT(crypto_hex_decode(NULL, out, 4), CRYPTO_EINPUT);
    unsigned char key[32];
    CHECK_INT(crypto_hex_decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key, 32), 0);
    CHECK_MEM(key, KEY32, 32);
}

static int is_token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static int cmp_tok(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

#define NTOK 2000

TEST(token_format_and_uniqueness)
{
    static char toks[NTOK][CRYPTO_TOKEN_SIZE];
    int bad = 0;
    for (int i = 0; i < NTOK; i++) {
        CHECK_INT(crypto_random_token(toks[i], sizeof toks[i]), 0);
        if (strlen(toks[i]) != CRYPTO_TOKEN_LEN)
            bad++;
        for (int j = 0; j < CRYPTO_TOKEN_LEN; j++)
            if (!is_token_char(toks[i][j]))
                bad++;
        /* 43rd character carries 4 bits: its index in the alphabet is a multiple of 4 */
        if (!strchr("AEIMQUYcgkosw048", toks[i][CRYPTO_TOKEN_LEN - 1]))
            bad++;
    }
    CHECK_INT(bad, 0);
    qsort(toks, NTOK, sizeof toks[0], cmp_tok);
    int dups = 0;
    for (int i = 1; i < NTOK; i++)
        if (strcmp(toks[i - 1], toks[i]) == 0)
            dups++;
    CHECK_INT(dups, 0);

    char small[CRYPTO_TOKEN_LEN];
    CHECK_INT(crypto_random_token(small, sizeof small), CRYPTO_EINPUT);
    CHECK_STR(small, "");
}

TEST(random_bytes_basic)
{
    static unsigned char a[5000], b[5000];   /* more than one DRBG request */
    CHECK_INT(crypto_random_bytes(a, sizeof a), 0);
    CHECK_INT(crypto_random_bytes(b, sizeof b), 0);
    CHECK(memcmp(a, b, sizeof a) != 0);
    int zeros = 0;
    for (size_t i = 0; i < sizeof a; i++)
        zeros += a[i] == 0;
    CHECK(zeros < 100);                      /* ~20 expected */
    CHECK_INT(crypto_random_bytes(NULL, 0), 0);
    CHECK_INT(crypto_random_bytes(NULL, 1), CRYPTO_EINPUT);
}

static void *thread_token(void *arg)
{
    char *out = arg;
    if (crypto_random_token(out, CRYPTO_TOKEN_SIZE) != 0)
        out[0] = '\0';
    return NULL;
}

TEST(random_per_thread_and_after_fork)
{
    enum { NT = 8 };
    static char toks[NT + 2][CRYPTO_TOKEN_SIZE];
    pthread_t th[NT];
    for (int i = 0; i < NT; i++)
        CHECK_INT(pthread_create(&th[i], NULL, thread_token, toks[i]), 0);
    for (int i = 0; i < NT; i++)
        pthread_join(th[i], NULL);

    /* a forked child must not replay the parent's DRBG stream */
    int fds[2];
    CHECK_INT(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char t[CRYPTO_TOKEN_SIZE] = "";
        crypto_random_token(t, sizeof t);
        ssize_t w = write(fds[1], t, sizeof t);
        _exit(w == (ssize_t)sizeof t ? 0 : 1);
    }
    CHECK(pid > 0);
    crypto_random_token(toks[NT], CRYPTO_TOKEN_SIZE);
    close(fds[1]);
    CHECK_INT(read(fds[0], toks[NT + 1], CRYPTO_TOKEN_SIZE), CRYPTO_TOKEN_SIZE);
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    for (int i = 0; i < NT + 2; i++) {
        CHECK_INT(strlen(toks[i]), CRYPTO_TOKEN_LEN);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(toks[i], toks[j]) != 0);
    }
}

int main(void)
{
    RUN(hmac_published_vector);
    RUN(sha256_vectors);
    RUN(seal_open_round_trip);
    RUN(open_python_vector);
    RUN(open_detects_tampering);
    RUN(hex_decode);
    RUN(token_format_and_uniqueness);
    RUN(random_bytes_basic);
    RUN(random_per_thread_and_after_fork);
    return check_summary();
}
