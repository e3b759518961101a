-- 042_registration: what registration records beside units and profiles.

-- Every change of a person's real name, before and after the registration
-- deadline (names go on certificates and prize lists, so a correction
-- after the deadline must be traceable).
CREATE TABLE name_changes (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT NOT NULL,
    old_name        VARCHAR(40) NOT NULL,
    new_name        VARCHAR(40) NOT NULL,
    contest_id      BIGINT NULL,           -- the contest whose deadline applied
    after_deadline  TINYINT NOT NULL,
    changed_at      BIGINT NOT NULL,
    KEY k_name_changes_user (user_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Text that WeChat's msg_sec_check marked `review`, or that could not be
-- checked because WeChat was unavailable: accepted, and listed here for an
-- organizer to accept or reject (GET /admin/reviews, the console issue).
CREATE TABLE content_reviews (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    kind            ENUM('unit_name', 'contact_name', 'real_name', 'org_name', 'position') NOT NULL,
    subject_id      BIGINT NOT NULL,       -- units.id for unit_name/contact_name, else users.id
    user_id         BIGINT NULL,           -- who submitted it
    content         VARCHAR(255) NOT NULL,
    reason          ENUM('review', 'unchecked') NOT NULL,
    state           ENUM('pending', 'accepted', 'rejected') NOT NULL DEFAULT 'pending',
    created_at      BIGINT NOT NULL,
    decided_at      BIGINT NULL,
    decided_by      BIGINT NULL,           -- organizers.id
    KEY k_reviews_state (state, id),
    KEY k_reviews_subject (kind, subject_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
