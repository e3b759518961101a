-- 140_prizes: the draw's commitment and reveal, and the winners it gave.
-- Times are Unix seconds from the server's clock.

-- One row per contest from the organizer's commitment on. The candidate
-- list is frozen once (after the end) and never rewritten; the reveal fills
-- the seed, the public value and the algorithm.
CREATE TABLE draws (
    contest_id          BIGINT NOT NULL PRIMARY KEY,
    seed_sha256         CHAR(64) NOT NULL,           -- SHA-256 of the seed's bytes, lower-case hex
    public_value_source VARCHAR(200) NOT NULL,       -- which future public value will be used
    committed_at        BIGINT NOT NULL,
    committed_by        BIGINT NOT NULL,             -- organizers.id
    candidates          MEDIUMTEXT NULL,             -- the frozen list (rules/draw_file.h)
    candidates_sha256   CHAR(64) NULL,
    frozen_at           BIGINT NULL,
    frozen_by           BIGINT NULL,                 -- organizers.id
    seed_hex            VARCHAR(128) NULL,
    public_value        VARCHAR(200) NULL,
    algorithm           VARCHAR(32) NULL,
    revealed_at         BIGINT NULL,
    revealed_by         BIGINT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The winners of a revealed draw, with what the public list shows taken
-- when it was drawn (published results do not change afterwards).
CREATE TABLE prize_winners (
    contest_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    prize_group     INT NOT NULL,                    -- tiers, then draws (rules/prize_alloc.h)
    prize_name      VARCHAR(80) NOT NULL,
    position        INT NOT NULL,                    -- order of winning within the group
    by_draw         TINYINT NOT NULL,
    name_masked     VARCHAR(64) NOT NULL,
    unit_name       VARCHAR(100) NOT NULL,
    phone_verified  TINYINT NOT NULL,                -- 0: the organizer follows up
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (contest_id, user_id),
    KEY k_winners_list (contest_id, prize_group, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
