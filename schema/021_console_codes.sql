-- One-time codes a unit admin takes from the mini-program (POST
-- /me/console-code) to sign in to the web console (POST /admin/login
-- {"code"}). Kept by the SHA-256 of the code, as sessions keep tokens:
-- a leaked table signs nobody in. At most one row per user: making a new
-- code deletes the user's older ones, so the table never grows past the
-- number of unit admins and needs no cleanup job.
-- Times are Unix seconds from the server's clock.

CREATE TABLE console_codes (
    code_hash       CHAR(64) NOT NULL PRIMARY KEY,
    user_id         BIGINT NOT NULL,
    unit_id         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT NULL,
    KEY k_console_codes_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
