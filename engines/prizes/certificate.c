/* certificate.c: study-hours certificates — who may have one, made once
 * and kept, served again from the kept file, verified by serial. */
#include "engines/prizes/prizes.h"
#include "engines/accounts/seal.h"
#include "rules/cert_serial.h"
#include "rules/mask.h"
#include "rules/phone_id.h"
#include "rules/score.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "lib/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/md.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_once_t keys_once = PTHREAD_ONCE_INIT;
static unsigned char cert_key[32], phone_key_[32];
static int keys_ok;

/* Separate keys for separate uses, derived from the one configured secret. */
static void keys_init(void)
{
    const unsigned char *k = seal_key();
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    keys_ok = k && md &&
              mbedtls_md_hmac(md, k, 32, (const unsigned char *)"quizd certificate serials v1", 28, cert_key) == 0 &&
              mbedtls_md_hmac(md, k, 32, (const unsigned char *)"quizd phone identity v1", 23, phone_key_) == 0;
}

const unsigned char *prizes_cert_key(void)
{
    pthread_once(&keys_once, keys_init);
    return keys_ok ? cert_key : NULL;
}

int prizes_phone_id(const char *phone, char out[65])
{
    char canon[32];
    pthread_once(&keys_once, keys_init);
    if (!keys_ok || rules_phone_canonical(phone, canon, sizeof canon) < 0)
        return -1;
    int rc = crypto_hmac_sha256_hex((const char *)phone_key_, sizeof phone_key_, canon, strlen(canon), out);
    explicit_bzero(canon, sizeof canon);
    return rc == 0 ? 0 : -1;
}

static status_t store_err(req_t *r)
{
    (void)r;
    return ST_STORE;
}

static const char *cert_path(req_t *r, const char *serial)
{
    return arena_sprintf(r->arena, "%s/certificates/%s.pdf", g_config.data_dir, serial);
}

/* The kept file into the arena; -1 when missing. */
static int read_kept(req_t *r, const char *serial, const char **pdf, size_t *len)
{
    FILE *f = fopen(cert_path(r, serial), "rb");
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || st.st_size <= 0 || st.st_size > 32 * 1024 * 1024) {
        fclose(f);
        return -1;
    }
    char *buf = arena_alloc(r->arena, (size_t)st.st_size);
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    if (n != (size_t)st.st_size)
        return -1;
    *pdf = buf;
    *len = n;
    return 0;
}

/* Write the file whole or not at all (a temporary name, then rename). */
static int keep(req_t *r, const char *serial, const unsigned char *pdf, size_t len)
{
    const char *dir = arena_sprintf(r->arena, "%s/certificates", g_config.data_dir);
    if (mkdir(dir, 0750) < 0 && errno != EEXIST)
        return -1;
    unsigned char rnd[6];
    crypto_random_bytes(rnd, sizeof rnd);
    const char *tmp = arena_sprintf(r->arena, "%s/.%s.%02x%02x%02x%02x%02x%02x.tmp", dir, serial, rnd[0], rnd[1],
                                    rnd[2], rnd[3], rnd[4], rnd[5]);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int ok = fwrite(pdf, 1, len, f) == len;
    ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, cert_path(r, serial)) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void shanghai_date(long long t, char *out, size_t outsz)
{
    char iso[32];
    iso8601_format_shanghai(t, iso);   /* 2024-07-01T08:00:00+08:00 */
    snprintf(out, outsz, "%.4s年%d月%d日", iso, atoi(iso + 5), atoi(iso + 8));
}

/* Make the PDF from the stored row and keep it. */
static int make_file(req_t *r, db_res_t *row, const char **pdf, size_t *len)
{
    const char *serial = db_get(row, 0, 0);
    char date[40];
    shanghai_date(db_int(row, 0, 6), date, sizeof date);
    cert_text_t t = { .name = db_get(row, 0, 1), .unit = db_get(row, 0, 2), .contest = db_get(row, 0, 3),
                      .score = db_int(row, 0, 4), .hours = (int)db_int(row, 0, 5), .serial = serial,
                      .date = date,
                      .link = arena_sprintf(r->arena, "%s/api/v1/certificates/%s", g_config.public_base_url, serial) };
    unsigned char *buf;
    size_t n;
    req_release_stores(r);    /* embedding the font takes a while; no store is needed meanwhile */
    if (prizes_cert_pdf(&t, g_config.cert_font, &buf, &n) < 0) {
        log_error("certificate %s: the PDF could not be made (font %s)", serial, g_config.cert_font);
        return -1;
    }
    int rc = keep(r, serial, buf, n);
    char *copy = arena_alloc(r->arena, n);
    memcpy(copy, buf, n);
    free(buf);
    if (rc < 0)
        log_error("certificate %s: cannot keep the file under %s", serial, g_config.data_dir);
    *pdf = copy;
    *len = n;
    return 0;
}

#define CERT_COLS "serial, real_name, unit_name, contest_name, score, hours, issued_at"

static db_res_t *load_cert(req_t *r, long long contest_id, long long user_id)
{
    return db_query(req_db(r), r->arena, "SELECT " CERT_COLS " FROM certificates WHERE contest_id = ? AND user_id = ?",
                    "ii", contest_id, user_id);
}

static status_t not_eligible(prizes_why_t *why, const char *reason, const char *message)
{
    why->code = "not_eligible";
    why->reason = reason;
    why->message = message;
    return ST_FORBIDDEN;
}

/* Checks and the new row: ST_OK when a row now exists, ST_FORBIDDEN with
 * *why, ST_STORE. */
static status_t issue(req_t *r, const contest_t *c, long long user_id, prizes_why_t *why)
{
    /* A withdrawn account (users.erased_at, engines/accounts/privacy.c) has
     * no session and no phone, so it never reaches this; the test states it
     * all the same. */
    db_res_t *p = db_query(req_db(r), r->arena,
                           "SELECT p.real_name, COALESCE(un.name, p.five_into_org, ''), u.phone_sealed, s.score"
                           " FROM profiles p JOIN users u ON u.id = p.user_id"
                           " LEFT JOIN units un ON un.id = p.unit_id"
                           " LEFT JOIN contest_scores s ON s.contest_id = ? AND s.user_id = p.user_id"
                           " WHERE p.user_id = ? AND u.erased_at IS NULL", "ii", c->id, user_id);
    if (!p)
        return store_err(r);
    if (!p->nrows || !db_get(p, 0, 0) || !*db_get(p, 0, 0))
        return not_eligible(why, "not_real_name", "certificates go to real-name profiles");
    if (!db_get(p, 0, 3) || db_int(p, 0, 3) < c->certificate_threshold)
        return not_eligible(why, "below_threshold",
                            arena_sprintf(r->arena, "a contest score of %d or more earns the certificate",
                                               c->certificate_threshold));
    char *phone = NULL, pid[65];
    if (!db_get(p, 0, 2) || unseal_str(r, db_get(p, 0, 2), &phone) < 0 || prizes_phone_id(phone, pid) < 0)
        return not_eligible(why, "phone_unverified",
                            "a verified phone number is needed (one certificate per phone number)");
    char serial[CERT_SERIAL_LEN + 1];
    if (rules_cert_serial(prizes_cert_key(), 32, c->id, user_id, serial) < 0)
        return store_err(r);
    long long n = db_exec(req_db(r),
                          "INSERT INTO certificates (serial, contest_id, user_id, phone_id, real_name, unit_name,"
                          " contest_name, score, hours, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          "siissssiii", serial, c->id, user_id, pid, db_get(p, 0, 0), db_get(p, 0, 1), c->name,
                          db_int(p, 0, 3), (long long)c->certificate_hours, (long long)clock_now_s());
    if (n < 0 && db_errno(req_db(r)) != DB_ER_DUP_ENTRY)
        return store_err(r);
    return ST_OK;
}

status_t prizes_certificate(req_t *r, const contest_t *c, long long user_id, const char **pdf, size_t *len,
                            const char **serial, prizes_why_t *why)
{
    long long now = clock_now_s();
    if (c->certificate_threshold < 0)
        return not_eligible(why, "no_certificate", "this contest gives no certificate");
    if (now < c->ends_at) {
        char iso[32];
        iso8601_format_shanghai(c->ends_at, iso);
        return not_eligible(why, "before_end",
                            arena_sprintf(r->arena, "certificates can be downloaded from the contest's end (%s)", iso));
    }
    if (now >= c->ends_at + (long long)c->certificate_days * 86400) {
        why->code = "certificate_window_closed";
        why->message = arena_sprintf(r->arena, "certificates could be downloaded for %d days after the end",
                                     c->certificate_days);
        return ST_GONE;
    }
    db_res_t *row = load_cert(r, c->id, user_id);
    if (!row)
        return store_err(r);
    if (!row->nrows) {
        status_t rc = issue(r, c, user_id, why);
        if (rc != ST_OK)
            return rc;
        if (!(row = load_cert(r, c->id, user_id)))
            return store_err(r);
        /* A duplicate phone: another account of this number holds it. */
        if (!row->nrows)
            return not_eligible(why, "phone_taken",
                                "another account with the same phone number already has this certificate");
    }
    *serial = db_get(row, 0, 0);
    if (read_kept(r, *serial, pdf, len) == 0)
        return ST_OK;
    if (make_file(r, row, pdf, len) < 0)
        return ST_ERR;
    return ST_OK;
}

status_t prizes_certificate_verify(db_t *db, arena_t *a, const char *serial, json_t **out)
{
    if (!rules_cert_serial_format(serial))
        return ST_NOT_FOUND;
    db_res_t *row = db_query(db, a,
                             "SELECT contest_id, user_id, real_name, contest_name, score, hours, issued_at"
                             " FROM certificates WHERE serial = ?", "s", serial);
    if (!row)
        return ST_STORE;
    if (!row->nrows || !rules_cert_serial_check(prizes_cert_key(), 32, serial, db_int(row, 0, 0), db_int(row, 0, 1)))
        return ST_NOT_FOUND;
    char masked[64], iso[32];
    rules_mask_name(db_get(row, 0, 2), masked, sizeof masked);
    iso8601_format_shanghai(db_int(row, 0, 6), iso);
    *out = json_pack("{s:b,s:s,s:s,s:I,s:I,s:s,s:s}", "valid", 1, "name_masked", masked, "contest", db_get(row, 0, 3),
                     "score", (json_int_t)db_int(row, 0, 4), "hours", (json_int_t)db_int(row, 0, 5), "issued_at", iso,
                     "serial", serial);
    return ST_OK;
}
