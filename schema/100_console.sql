-- 100_console: the organizers' and unit admins' console (issue 10).
-- Times are Unix seconds from the server's clock (never NOW()).

SET NAMES utf8mb4;

-- Every change an organizer makes (through the API or a quizd command):
-- who, when, what, and the record before and after, as JSON. Read by
-- nationwide organizers (GET /admin/audit). Never updated, never deleted.
CREATE TABLE audit_log (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    organizer_id    BIGINT NULL,            -- NULL: the command line
    actor           VARCHAR(80) NOT NULL,   -- "organizer:<username>" or "cli"
    action          VARCHAR(40) CHARACTER SET ascii NOT NULL,
    target_kind     VARCHAR(20) CHARACTER SET ascii NOT NULL,
    target_id       BIGINT NULL,
    before_json     MEDIUMTEXT NULL,
    after_json      MEDIUMTEXT NULL,
    created_at      BIGINT NOT NULL,
    KEY k_audit_time (created_at, id),
    KEY k_audit_target (target_kind, target_id, id),
    KEY k_audit_organizer (organizer_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- verified: an organizer confirmed name, credit code, type and headcount;
-- only verified units are ranked by participation rate (API.md Rules).
-- name_state: 'rejected' hides the name from public lists and boards
-- (shown as 待审核) until it is corrected; reject_reason is what the
-- registrant is told.
ALTER TABLE units
    ADD COLUMN verified TINYINT NOT NULL DEFAULT 0,
    ADD COLUMN name_state ENUM('pass', 'review', 'rejected') NOT NULL DEFAULT 'pass',
    ADD COLUMN name_reject_reason VARCHAR(200) NULL,
    ADD KEY k_units_merged (merged_into);

ALTER TABLE profiles
    MODIFY COLUMN name_review ENUM('pass', 'review', 'rejected') NOT NULL DEFAULT 'pass',
    ADD COLUMN name_reject_reason VARCHAR(200) NULL;

ALTER TABLE content_reviews
    ADD COLUMN reject_reason VARCHAR(200) NULL;

-- Files people upload (a unit's legal-person certificate, the stamped
-- authorization letter). Kept in MariaDB so every server process reads
-- them; the name a client sent is never used (the server names them by id).
CREATE TABLE uploads (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT NULL,            -- the uploader (mini-program user)
    organizer_id    BIGINT NULL,            -- or an organizer
    media_type      VARCHAR(32) CHARACTER SET ascii NOT NULL,
    size            INT NOT NULL,
    sha256          CHAR(64) CHARACTER SET ascii NOT NULL,
    data            MEDIUMBLOB NOT NULL,
    created_at      BIGINT NOT NULL,
    KEY k_uploads_user (user_id)
) ENGINE=InnoDB;

-- Applications to become a unit's admin. At most one pending application
-- per person (pending_user is unique; NULL once decided).
CREATE TABLE admin_applications (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    unit_id         BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    applicant_name  VARCHAR(40) NOT NULL,
    phone_sealed    VARCHAR(255) NOT NULL,
    phone_masked    VARCHAR(20) NOT NULL,
    certificate_upload_id   BIGINT NOT NULL,
    authorization_upload_id BIGINT NOT NULL,
    state           ENUM('pending', 'approved', 'rejected', 'replaced') NOT NULL DEFAULT 'pending',
    reason          VARCHAR(200) NULL,
    created_at      BIGINT NOT NULL,
    decided_at      BIGINT NULL,
    decided_by      BIGINT NULL,
    pending_user    BIGINT AS (IF(state = 'pending', user_id, NULL)) PERSISTENT,
    UNIQUE KEY uk_applications_pending (pending_user),
    KEY k_applications_state (state, id),
    KEY k_applications_unit (unit_id, id),
    KEY k_applications_user (user_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
