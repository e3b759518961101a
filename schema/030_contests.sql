-- Contests, the contest score of each person, and the outbox that carries
-- every accepted submit to the leaderboards.
-- Times are Unix seconds from the server's clock; the API shows them in
-- Asia/Shanghai.

CREATE TABLE contests (
    id                      BIGINT AUTO_INCREMENT PRIMARY KEY,
    slug                    VARCHAR(32) NOT NULL,
    name                    VARCHAR(100) NOT NULL,
    is_main                 TINYINT NOT NULL DEFAULT 0,
    registration_deadline   BIGINT NOT NULL,
    starts_at               BIGINT NOT NULL,
    ends_at                 BIGINT NOT NULL,
    -- the paper: JSON [{"category": "...", "count": N}, ...]
    paper                   TEXT NOT NULL,
    points_per_question     INT NOT NULL,
    time_limit_s            INT NOT NULL,
    attempts_per_day        INT NOT NULL,
    score_rule              VARCHAR(20) NOT NULL,     -- best | daily_best_sum
    certificate_threshold   INT NULL,                 -- NULL: no certificate
    certificate_hours       INT NULL,
    certificate_days        INT NULL,                 -- downloadable this many days after the end
    -- prize tiers and draws: JSON, used by the prizes work
    prize_settings          TEXT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    UNIQUE KEY uk_contests_slug (slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per person and contest once they have submitted an attempt:
-- the contest score under the contest's rule, and when it was first
-- reached (ties rank the earlier one higher).
CREATE TABLE contest_scores (
    contest_id          BIGINT NOT NULL,
    user_id             BIGINT NOT NULL,
    score               INT NOT NULL,
    reached_at          BIGINT NOT NULL,
    attempts_submitted  INT NOT NULL DEFAULT 0,
    first_submitted_at  BIGINT NOT NULL,
    PRIMARY KEY (contest_id, user_id),
    KEY k_scores_rank (contest_id, score, reached_at)
) ENGINE=InnoDB;

-- Written in the submit's own transaction; drained by any server into
-- Redis (see handlers/boards). An entry is applied at most once: the board
-- script records its attempt id.
CREATE TABLE board_outbox (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    contest_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    attempt_id      BIGINT NOT NULL,
    old_score       INT NOT NULL,      -- contest score before this submit (0 if none)
    new_score       INT NOT NULL,      -- contest score after it
    reached_at      BIGINT NOT NULL,   -- when new_score was first reached
    first_submit    TINYINT NOT NULL,  -- 1: the person's first submitted attempt in the contest
    created_at      BIGINT NOT NULL,
    applied_at      BIGINT NULL,
    UNIQUE KEY uk_outbox_attempt (attempt_id),
    KEY k_outbox_pending (applied_at, id)
) ENGINE=InnoDB;

-- The two contests of RULES.md as settings (June 2024, Asia/Shanghai).
-- The paper is filled in by 051_contest_papers.sql once the bank's
-- categories exist; `quizd seed-demo` moves both to open now.
INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,
                      points_per_question, time_limit_s, attempts_per_day, score_rule,
                      certificate_threshold, certificate_hours, certificate_days,
                      prize_settings, created_at, updated_at) VALUES
('shuian', '《水安将军》趣味知识网络竞赛', 1,
 1718035199 /* 2024-06-10 23:59:59 +08:00 */, 1718056800 /* 2024-06-11 06:00:00 +08:00 */, 1719759600 /* 2024-06-30 23:00:00 +08:00 */,
 '[{"category":"*","count":20}]', 5, 900, 3, 'best', NULL, NULL, NULL,
 '{"tiers":[{"name":"一等奖","count":10},{"name":"二等奖","count":20},{"name":"三等奖","count":50},{"name":"优胜奖","count":120}],"draws":[{"name":"参与奖","count":100,"min_score_exclusive":50}]}',
 0, 0),
('liuxiang', '“六项机制”网络答题', 0,
 1717603199 /* 2024-06-05 23:59:59 +08:00 */, 1717516800 /* 2024-06-05 00:00:00 +08:00 */, 1719759600 /* 2024-06-30 23:00:00 +08:00 */,
 '[{"category":"*","count":20}]', 5, 1200, 2, 'best', 85, 4, 15,
 '{"full_marks_draw":{"count":300,"fill_by_rank":true}}',
 0, 0);
