-- 223_quiz_start: a start in one round trip (engines/quiz/start.c).
--
-- The server draws the paper first (rules/paper_draw, from a seed over the
-- bank in memory at p_version) and hands it in with everything the rules
-- decide on; the procedure, in its own transaction, locks the person's
-- user row (so parallel starts make one attempt and the daily cap holds),
-- reads the profile, the day's count and the open attempt after the lock,
-- and then either refuses, returns the open attempt, or writes the new
-- attempt (only while the bank is still at p_version), and commits
-- (innodb_flush_log_at_trx_commit=1: durable before the reply).
--
-- p_kinds: the profile kinds the contest's audience admits, as C's rules
-- say (rules_audience_admits), comma separated. p_questions NULL: the bank
-- cannot fill the paper (the outcome is then 'no_paper' where a new
-- attempt would have been written).
--
-- One row back: outcome ('new', 'open', 'not_registered',
-- 'not_in_audience', 'too_late', 'daily_limit', 'no_paper', 'bank_moved')
-- and the attempt id ('new', 'open').

CREATE PROCEDURE quiz_start(IN p_contest BIGINT, IN p_user BIGINT, IN p_day INT, IN p_now BIGINT,
                            IN p_deadline BIGINT, IN p_cap INT, IN p_kinds VARCHAR(100),
                            IN p_registration_deadline BIGINT, IN p_questions MEDIUMTEXT,
                            IN p_seed CHAR(32), IN p_version BIGINT)
    MODIFIES SQL DATA
BEGIN
    DECLARE v_profile BIGINT DEFAULT NULL;
    DECLARE v_kind VARCHAR(32) DEFAULT NULL;
    DECLARE v_created BIGINT DEFAULT 0;
    DECLARE v_count INT DEFAULT 0;
    DECLARE v_open BIGINT DEFAULT NULL;
    DECLARE v_outcome VARCHAR(16) DEFAULT 'not_registered';
    DECLARE v_id BIGINT DEFAULT NULL;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;
    START TRANSACTION;
    SELECT p.user_id, p.kind, p.created_at,
           (SELECT COUNT(*) FROM attempts t WHERE t.contest_id = p_contest AND t.user_id = u.id
               AND t.day = p_day),
           (SELECT MAX(t.id) FROM attempts t WHERE t.contest_id = p_contest AND t.user_id = u.id
               AND t.submitted_at IS NULL AND t.deadline > p_now)
      INTO v_profile, v_kind, v_created, v_count, v_open
      FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = p_user FOR UPDATE;
    IF v_profile IS NULL THEN
        SET v_outcome = 'not_registered';
    ELSEIF FIND_IN_SET(v_kind, p_kinds) = 0 THEN
        SET v_outcome = 'not_in_audience';
    ELSEIF v_created > p_registration_deadline THEN
        SET v_outcome = 'too_late';
    ELSEIF v_open IS NOT NULL THEN
        SET v_outcome = 'open', v_id = v_open;
    ELSEIF v_count >= p_cap THEN
        SET v_outcome = 'daily_limit';
    ELSEIF p_questions IS NULL THEN
        SET v_outcome = 'no_paper';
    ELSE
        INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, questions, seed, bank_version)
        SELECT p_contest, p_user, p_day, p_now, p_deadline, p_questions, UNHEX(p_seed), version
          FROM question_bank WHERE id = 1 AND version = p_version;
        IF ROW_COUNT() = 1 THEN
            SET v_outcome = 'new', v_id = LAST_INSERT_ID();
        ELSE
            SET v_outcome = 'bank_moved';
        END IF;
    END IF;
    COMMIT;
    SELECT v_outcome, v_id;
END
