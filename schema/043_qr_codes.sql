-- 043_qr_codes: mini-program codes from getwxacodeunlimit, kept in MariaDB
-- (not on one server's disk) so that WeChat is asked once per scene by the
-- whole fleet. Unlimited codes never expire. Only WeChat's images are kept:
-- the local fallback QR code is cheap to make and must not hide WeChat's
-- code once WeChat answers again.
CREATE TABLE qr_codes (
    scene           VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    content_type    VARCHAR(32) NOT NULL,
    image           MEDIUMBLOB NOT NULL,
    created_at      BIGINT NOT NULL
) ENGINE=InnoDB;
