-- 141_certificates: study-hours certificates, one per person and contest
-- and one per verified phone number and contest. What the certificate
-- says is stored as issued (a later change of name does not rewrite a
-- certificate already given); the PDF is kept under data_dir/certificates/.
CREATE TABLE certificates (
    serial          CHAR(24) NOT NULL PRIMARY KEY,   -- rules/cert_serial.h
    contest_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    phone_id        CHAR(64) NOT NULL,               -- keyed HMAC of the phone number, never the number
    real_name       VARCHAR(40) NOT NULL,
    unit_name       VARCHAR(100) NOT NULL,
    contest_name    VARCHAR(100) NOT NULL,
    score           INT NOT NULL,
    hours           INT NOT NULL,
    issued_at       BIGINT NOT NULL,
    UNIQUE KEY uk_cert_person (contest_id, user_id),
    UNIQUE KEY uk_cert_phone (contest_id, phone_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
