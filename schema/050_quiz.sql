-- 050_quiz: the question bank, attempts, each day's best, and the record of
-- corrections to the bank (handlers/questions.c, handlers/attempts.c).
-- Times are Unix seconds from the server's clock (never NOW()).

SET NAMES utf8mb4;

-- One row per question. A question's identity is its fingerprint (type and
-- stem, see rules/question_row.h), so importing a file again updates the
-- same rows instead of adding copies; content_hash covers everything else
-- (category, options, answer, explanation), so a row that did not change is
-- recognised without touching it.
CREATE TABLE questions (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    fingerprint     CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    content_hash    CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    type            ENUM('single', 'multiple', 'judge') NOT NULL,
    category        VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
    stem            TEXT NOT NULL,
    -- JSON array of the option texts in bank order (A, B, ...); judge: ["对","错"]
    options         TEXT NOT NULL,
    -- bank letters of the right options, sorted ("AC"); judge "A" (对) or "B" (错)
    answer          VARCHAR(6) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    explanation     TEXT NOT NULL,
    active          TINYINT NOT NULL DEFAULT 1,
    revision        INT NOT NULL DEFAULT 1,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE KEY uk_questions_fingerprint (fingerprint),
    -- drawing a paper: random ids of one category among the active ones
    KEY k_questions_draw (active, category, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per attempt started. `day` is the Asia/Shanghai day the attempt
-- started on (rules_shanghai_day), which the daily cap counts; an attempt is
-- open while submitted_at IS NULL and the clock is before deadline.
CREATE TABLE attempts (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    contest_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    day             INT NOT NULL,
    started_at      BIGINT NOT NULL,
    deadline        BIGINT NOT NULL,
    submitted_at    BIGINT NULL,
    score           INT NULL,
    correct_count   INT NULL,
    -- the paper as drawn: [{"id": 12, "o": "CADB"}, ...] in the order shown;
    -- o[i] is the bank letter of the option shown as letter i (A, B, ...)
    questions       TEXT NOT NULL,
    -- as submitted, in the same order: the bank letters chosen ("AC", "")
    choices         TEXT NULL,
    -- the submit reply, returned byte for byte on any later submit
    reply           MEDIUMTEXT NULL,
    rescored_at     BIGINT NULL,
    KEY k_attempts_user_day (contest_id, user_id, day),
    KEY k_attempts_user (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The best submitted attempt of a person on one contest day (Asia/Shanghai),
-- the input of both score rules: `best` takes the largest, `daily_best_sum`
-- the sum. reached_at: when that day's best was first reached.
CREATE TABLE daily_best (
    contest_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    day             INT NOT NULL,
    score           INT NOT NULL,
    reached_at      BIGINT NOT NULL,
    PRIMARY KEY (contest_id, user_id, day)
) ENGINE=InnoDB;

-- Every correction of a question (PUT /admin/questions/{id}, or an import
-- that changes an existing question), with the question before and after.
CREATE TABLE question_revisions (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    question_id     BIGINT NOT NULL,
    revision        INT NOT NULL,
    source          ENUM('api', 'import') NOT NULL,
    organizer_id    BIGINT NULL,
    changed_at      BIGINT NOT NULL,
    before_json     MEDIUMTEXT NOT NULL,
    after_json      MEDIUMTEXT NOT NULL,
    answer_changed  TINYINT NOT NULL,
    attempts_rescored INT NOT NULL DEFAULT 0,
    KEY k_revisions_question (question_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What a changed answer key did to each submitted attempt that had the
-- question, and to each person's contest score. A contest score change is
-- carried to the leaderboards through board_outbox like a submit, with
-- attempt_id = -score_adjustments.id (negative, so it never meets a real
-- attempt's id in uk_outbox_attempt).
CREATE TABLE attempt_rescores (
    revision_id     BIGINT NOT NULL,
    attempt_id      BIGINT NOT NULL,
    old_score       INT NOT NULL,
    new_score       INT NOT NULL,
    old_correct     INT NOT NULL,
    new_correct     INT NOT NULL,
    PRIMARY KEY (revision_id, attempt_id),
    KEY k_rescores_attempt (attempt_id)
) ENGINE=InnoDB;

CREATE TABLE score_adjustments (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    revision_id     BIGINT NOT NULL,
    contest_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    old_score       INT NOT NULL,
    new_score       INT NOT NULL,
    created_at      BIGINT NOT NULL,
    KEY k_adjustments_revision (revision_id)
) ENGINE=InnoDB;
