-- 290_login_finish_group: the writes of a group of logins after their user
-- rows, and the group's COMMIT, in one statement round trip
-- (engines/accounts/login_group.c: logins ready together are committed in
-- one transaction, one log flush). The values are decided in C (each
-- token's hash, the roles its session may carry, the sealed reply); this
-- only writes them, as login_finish (260) does for one login. No result
-- sets, so a prepared CALL is answered by a single OK, after the COMMIT.
--
-- p_entries: a JSON array of
--   {"h": the token's hash, "u": user, "m": the roles the session may carry,
--    "a": admin unit (0 if none), "t": now, "x": the session's expiry,
--    "c": the code's hash, "r": the sealed reply, "e": the reply's expiry}

CREATE PROCEDURE login_finish_group(IN p_entries LONGTEXT)
    MODIFIES SQL DATA
BEGIN
    INSERT INTO sessions (token_hash, user_id, organizer_id, roles, admin_unit_id, area,
                          created_at, expires_at)
    SELECT j.jh, j.ju, 0, j.jm, j.ja, '', j.jt, j.jx
      FROM JSON_TABLE(p_entries, '$[*]' COLUMNS (jh CHAR(64) CHARACTER SET ascii PATH '$.h',
             ju BIGINT PATH '$.u', jm INT PATH '$.m', ja BIGINT PATH '$.a', jt BIGINT PATH '$.t',
             jx BIGINT PATH '$.x')) j;
    INSERT INTO login_codes (code_hash, reply_sealed, expires_at)
    SELECT j.jc, j.jr, j.je
      FROM JSON_TABLE(p_entries, '$[*]' COLUMNS (jn FOR ORDINALITY,
             jc CHAR(64) CHARACTER SET ascii PATH '$.c',
             jr MEDIUMTEXT CHARACTER SET ascii PATH '$.r', je BIGINT PATH '$.e')) j
     ORDER BY j.jn
    ON DUPLICATE KEY UPDATE reply_sealed = VALUES(reply_sealed), expires_at = VALUES(expires_at);
    COMMIT;
END;
