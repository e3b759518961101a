-- 260_login_finish: the writes a login makes after its user row, and its
-- commit, as one stored procedure, so that the login's transaction costs
-- three round trips (begin, the user's upsert, this) instead of five
-- (issue 15: logins bound by round trips on two cores). The values are
-- decided in C (handlers/login.c: the token's hash, the roles the session
-- may carry, the sealed reply); this only writes them. No result sets, so
-- a prepared CALL is answered by a single OK, after the COMMIT.

-- The session (as session_insert writes it, engines/accounts/session.c)
-- and the remembered reply to the code (as replay_save_tx writes it,
-- engines/accounts/login_replay.c), then COMMIT, inside the transaction
-- the caller began.
CREATE PROCEDURE login_finish(IN p_token_hash CHAR(64), IN p_user BIGINT, IN p_roles INT,
                              IN p_unit BIGINT, IN p_now BIGINT, IN p_expires BIGINT,
                              IN p_code_hash CHAR(64), IN p_reply TEXT, IN p_reply_expires BIGINT)
    MODIFIES SQL DATA
BEGIN
    INSERT INTO sessions (token_hash, user_id, organizer_id, roles, admin_unit_id, area,
                          created_at, expires_at)
    VALUES (p_token_hash, p_user, 0, p_roles, p_unit, '', p_now, p_expires);
    INSERT INTO login_codes (code_hash, reply_sealed, expires_at)
    VALUES (p_code_hash, p_reply, p_reply_expires)
    ON DUPLICATE KEY UPDATE reply_sealed = VALUES(reply_sealed), expires_at = VALUES(expires_at);
    COMMIT;
END;
