-- 220_submit_group: the writes of a group of accepted submits in one
-- statement round trip (engines/quiz/group.c: submits ready together are
-- committed in one transaction, one log flush). The decisions stay in C;
-- this only writes the values it is given, row by row in the group's
-- order (ORDER BY n), so two submits of one person in one group apply in
-- turn exactly as two transactions would. No result sets.
--
-- p_entries: a JSON array of
--   {"c": contest, "u": user, "a": attempt, "d": day, "s": the attempt's score,
--    "i": 1 when the day's best improved, "o": contest score before (0 if none),
--    "n": contest score after, "r": reached_at, "f": 1 on the first submit, "t": now}

CREATE PROCEDURE quiz_submit_group(IN p_entries LONGTEXT)
    MODIFIES SQL DATA
BEGIN
    INSERT INTO daily_best (contest_id, user_id, day, score, reached_at)
    SELECT j.jc, j.ju, j.jd, j.js, j.jt
      FROM JSON_TABLE(p_entries, '$[*]' COLUMNS (jn FOR ORDINALITY, jc BIGINT PATH '$.c',
             ju BIGINT PATH '$.u', jd INT PATH '$.d', js INT PATH '$.s', ji INT PATH '$.i',
             jt BIGINT PATH '$.t')) j
     WHERE j.ji = 1 ORDER BY j.jn
    ON DUPLICATE KEY UPDATE score = VALUES(score), reached_at = VALUES(reached_at);
    INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted, first_submitted_at)
    SELECT j.jc, j.ju, j.jnew, j.jr, 1, j.jt
      FROM JSON_TABLE(p_entries, '$[*]' COLUMNS (jn FOR ORDINALITY, jc BIGINT PATH '$.c',
             ju BIGINT PATH '$.u', jnew INT PATH '$.n', jr BIGINT PATH '$.r', jt BIGINT PATH '$.t')) j
     ORDER BY j.jn
    ON DUPLICATE KEY UPDATE score = VALUES(score), reached_at = VALUES(reached_at),
                            attempts_submitted = attempts_submitted + 1;
    INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,
                              first_submit, created_at)
    SELECT j.jc, j.ju, j.ja, j.jo, j.jnew, j.jr, j.jf, j.jt
      FROM JSON_TABLE(p_entries, '$[*]' COLUMNS (jn FOR ORDINALITY, jc BIGINT PATH '$.c',
             ju BIGINT PATH '$.u', ja BIGINT PATH '$.a', jo INT PATH '$.o', jnew INT PATH '$.n',
             jr BIGINT PATH '$.r', jf TINYINT PATH '$.f', jt BIGINT PATH '$.t')) j
     ORDER BY j.jn;
END;
