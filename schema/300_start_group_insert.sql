-- 300_start_group_insert: a group of starts' new attempts and the group's
-- COMMIT in one statement round trip (engines/quiz/start_group.c, steps 4
-- and 5; it was an INSERT and then a COMMIT of its own). The one result
-- set is the INSERT's RETURNING: each written row's id and seed, in the
-- group's order; a start whose row is not returned found the bank moved on
-- (the join to question_bank at the version its paper was drawn from,
-- whose row stays share-locked until the COMMIT).
--
-- p_attempts: a JSON array of
--   {"c": contest, "u": user, "d": day, "t": now, "dl": deadline,
--    "q": the paper, "s": the seed as hex, "v": the bank version drawn from}

CREATE PROCEDURE quiz_start_group_insert(IN p_attempts LONGTEXT)
    MODIFIES SQL DATA
BEGIN
    INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, questions, seed, bank_version)
    SELECT j.c, j.u, j.d, j.t, j.dl, j.q, UNHEX(j.s), b.version
      FROM JSON_TABLE(p_attempts, '$[*]' COLUMNS (n FOR ORDINALITY, c BIGINT PATH '$.c', u BIGINT PATH '$.u',
             d INT PATH '$.d', t BIGINT PATH '$.t', dl BIGINT PATH '$.dl',
             q MEDIUMTEXT CHARACTER SET utf8mb4 PATH '$.q', s VARCHAR(32) PATH '$.s', v BIGINT PATH '$.v')) j
      JOIN question_bank b ON b.id = 1 AND b.version = j.v ORDER BY j.n
    RETURNING id, HEX(seed);
    COMMIT;
END;
