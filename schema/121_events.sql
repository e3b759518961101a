-- 121_events: lectures and other activities of the month, their sessions,
-- who checked in with the event's code (one row per person) and who a unit
-- recorded as having watched together.
CREATE TABLE events (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    title           VARCHAR(100) NOT NULL,
    watch_url       VARCHAR(500) NOT NULL DEFAULT '',
    audience        VARCHAR(20) NOT NULL DEFAULT 'all',   -- all | staff
    created_by      BIGINT NULL,                          -- organizers.id
    updated_by      BIGINT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE event_sessions (
    event_id        BIGINT NOT NULL,
    seq             INT NOT NULL,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    PRIMARY KEY (event_id, seq)
) ENGINE=InnoDB;

CREATE TABLE event_checkins (
    event_id        BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    checked_in_at   BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id),
    KEY k_checkins_time (event_id, checked_in_at)
) ENGINE=InnoDB;

-- A unit's record of members who watched together. recorded_by_user is the
-- unit admin, recorded_by_organizer the organizer (one of them is set).
CREATE TABLE event_attendance (
    event_id        BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    unit_id         BIGINT NOT NULL,
    recorded_by_user BIGINT NULL,
    recorded_by_organizer BIGINT NULL,
    recorded_at     BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id),
    KEY k_attendance_unit (unit_id, event_id),
    KEY k_attendance_time (event_id, recorded_at)
) ENGINE=InnoDB;

-- The public lecture of RULES.md (公益讲座), 2024-06-16 in two sessions.
INSERT INTO events (title, watch_url, audience, created_at, updated_at) VALUES
('水利安全生产公益讲座', '', 'all', 0, 0);
INSERT INTO event_sessions (event_id, seq, starts_at, ends_at) VALUES
(LAST_INSERT_ID(), 0, 1718499600 /* 2024-06-16 09:00 +08:00 */, 1718508600 /* 11:30 */),
(LAST_INSERT_ID(), 1, 1718519400 /* 14:30 */, 1718526600 /* 16:30 */);
