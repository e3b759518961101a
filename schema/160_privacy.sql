-- 160_privacy: personal data (PIPL) and one person one account (issue 14).

-- The privacy notice, every version ever in force (the highest is in
-- force). A new version is written by an organizer (PUT /admin/privacy)
-- and asks everyone for consent again.
CREATE TABLE privacy_notices (
    version         BIGINT AUTO_INCREMENT PRIMARY KEY,
    text            MEDIUMTEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    created_by      BIGINT NULL              -- organizers.id; NULL = shipped seed
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which notice a person accepted, and when.
CREATE TABLE consents (
    user_id         BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    accepted_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, version)
) ENGINE=InnoDB;

-- What was done to personal data, and by whom: a new notice, a person's
-- withdrawal, a purge after a contest. No names, only ids and counts.
CREATE TABLE privacy_log (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    action          ENUM('notice', 'erase', 'purge') NOT NULL,
    organizer_id    BIGINT NULL,
    user_id         BIGINT NULL,
    contest_id      BIGINT NULL,
    affected        INT NOT NULL DEFAULT 0,
    detail          VARCHAR(255) NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    KEY k_privacy_log_action (action, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- phone_hash: a keyed hash (HMAC under a key derived from the sealing key)
-- of the verified phone number, so one number belongs to one account
-- while the number itself stays sealed. erased_at: the person withdrew
-- (DELETE /me) or was purged; the row stays for the scores' sake.
ALTER TABLE users
    ADD COLUMN phone_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN erased_at BIGINT NULL,
    ADD UNIQUE KEY uk_users_phone_hash (phone_hash);

-- likely duplicates: the same real name in the same unit
ALTER TABLE profiles ADD KEY k_profiles_name_unit (board_unit_id, real_name);
