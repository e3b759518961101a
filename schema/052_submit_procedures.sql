-- 052_submit_procedures: three writes of a submit as one stored procedure,
-- so that they cost the submit transaction one round trip (DESIGN.md: round
-- trips are what a submit costs). The decisions stay in C
-- (handlers/attempts.c): this only writes the values it is given. No
-- result sets, so a prepared CALL is answered by a single OK.

-- The day's best (when p_day_improved), the contest score and the board
-- outbox row of one accepted submit, inside the caller's transaction.
CREATE PROCEDURE quiz_submit_scores(IN p_contest BIGINT, IN p_user BIGINT, IN p_attempt BIGINT,
                                    IN p_day INT, IN p_score INT, IN p_day_improved TINYINT,
                                    IN p_old_score INT, IN p_new_score INT, IN p_reached BIGINT,
                                    IN p_first TINYINT, IN p_now BIGINT)
    MODIFIES SQL DATA
BEGIN
    IF p_day_improved THEN
        INSERT INTO daily_best (contest_id, user_id, day, score, reached_at)
        VALUES (p_contest, p_user, p_day, p_score, p_now)
        ON DUPLICATE KEY UPDATE score = VALUES(score), reached_at = VALUES(reached_at);
    END IF;
    INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted, first_submitted_at)
    VALUES (p_contest, p_user, p_new_score, p_reached, 1, p_now)
    ON DUPLICATE KEY UPDATE score = VALUES(score), reached_at = VALUES(reached_at),
                            attempts_submitted = attempts_submitted + 1;
    INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,
                              first_submit, created_at)
    VALUES (p_contest, p_user, p_attempt, p_old_score, p_new_score, p_reached, p_first, p_now);
END;
