-- 120_export_jobs: exports run as jobs on their own threads (engines/reports).
-- A job belongs to whoever asked (an organizer, or a unit admin's user);
-- its file lives under data_dir/exports until expires_at, then goes.
-- `runner` names the process and thread that holds a running job
-- ("host:pid:n") and heartbeat_at (real time, not the contest clock) says
-- it is alive, so a job a restart interrupted is found and taken up again
-- or failed with a reason, never left "running".
CREATE TABLE export_jobs (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    owner_key       VARCHAR(32) NOT NULL,     -- 'o<organizer_id>' or 'u<user_id>'
    organizer_id    BIGINT NULL,
    user_id         BIGINT NULL,
    area            VARCHAR(6) NOT NULL DEFAULT '',
    unit_id         BIGINT NULL,              -- a unit admin's unit
    kind            VARCHAR(20) NOT NULL,
    format          VARCHAR(4) NOT NULL,
    params          TEXT NOT NULL,            -- the filters, canonical JSON
    params_hash     CHAR(64) NOT NULL,        -- sha256(kind, format, params, scope)
    state           ENUM('queued', 'running', 'done', 'failed') NOT NULL DEFAULT 'queued',
    progress        DOUBLE NOT NULL DEFAULT 0,
    rows_written    BIGINT NOT NULL DEFAULT 0,
    tries           INT NOT NULL DEFAULT 0,
    error           VARCHAR(255) NULL,
    source          VARCHAR(64) NULL,         -- which database the job read
    runner          VARCHAR(96) NULL,
    heartbeat_at    BIGINT NULL,
    file_name       VARCHAR(128) NULL,        -- under data_dir/exports
    created_at      BIGINT NOT NULL,
    started_at      BIGINT NULL,
    finished_at     BIGINT NULL,
    expires_at      BIGINT NULL,
    removed         TINYINT NOT NULL DEFAULT 0,
    KEY k_jobs_state (state, id),
    KEY k_jobs_owner (owner_key, state),
    KEY k_jobs_expiry (removed, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
