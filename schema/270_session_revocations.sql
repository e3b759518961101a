-- 270_session_revocations: cached session copies still to be dropped from
-- Redis (issue 14). A logout, an erasure or a role change deletes or
-- changes the session in MariaDB and drops Redis's copy; when Redis cannot
-- be reached at that moment the token's hash waits here, and every
-- server's background thread drops the copy once Redis answers again
-- (engines/accounts/session.c), so a copy cannot outlive its session.
CREATE TABLE session_revocations (
    token_hash      CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    revoked_at      BIGINT NOT NULL
) ENGINE=InnoDB;
