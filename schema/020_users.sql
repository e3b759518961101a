-- Mini-program users, sessions and organizer accounts.
-- Times are Unix seconds decided by the server's clock (never NOW()).

CREATE TABLE users (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    openid          VARCHAR(64) NOT NULL,
    unionid         VARCHAR(64) NULL,
    -- the latest login's session key, sealed (AES-256-GCM with phone_key);
    -- used only to decrypt a phone number from older clients
    session_key_sealed VARCHAR(128) NULL,
    phone_sealed    VARCHAR(255) NULL,
    phone_masked    VARCHAR(20) NULL,
    roles           INT NOT NULL DEFAULT 1,
    admin_unit_id   BIGINT NULL,
    created_at      BIGINT NOT NULL,
    last_login_at   BIGINT NOT NULL,
    UNIQUE KEY uk_users_openid (openid),
    KEY k_users_unionid (unionid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A session is found by the SHA-256 of its bearer token: the token itself
-- is never stored, so a leaked table logs nobody in.
CREATE TABLE sessions (
    token_hash      CHAR(64) NOT NULL PRIMARY KEY,
    user_id         BIGINT NULL,
    organizer_id    BIGINT NULL,
    roles           INT NOT NULL,
    admin_unit_id   BIGINT NULL,
    area            VARCHAR(6) NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    KEY k_sessions_user (user_id),
    KEY k_sessions_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- What a login code already produced, for five minutes: a phone that
-- retries the same code gets the same login instead of WeChat's 40163.
-- The reply holds a token, so it is kept sealed.
CREATE TABLE login_codes (
    code_hash       CHAR(64) NOT NULL PRIMARY KEY,
    reply_sealed    TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    KEY k_login_codes_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE organizers (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    username        VARCHAR(64) NOT NULL,
    password_hash   VARCHAR(255) NOT NULL,
    area            VARCHAR(6) NOT NULL DEFAULT '',   -- '' = all, else a region code
    disabled        TINYINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    UNIQUE KEY uk_organizers_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
