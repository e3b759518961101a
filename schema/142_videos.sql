-- 142_videos: the short-video collection (RULES.md §3): its settings, the
-- receipts (参赛回执) and their works, and the organizers' awards.

-- One row: the collection's window and how many of each award.
CREATE TABLE video_settings (
    id              TINYINT NOT NULL PRIMARY KEY,
    opens_at        BIGINT NOT NULL,
    closes_at       BIGINT NOT NULL,
    max_items       INT NOT NULL,         -- works on one receipt
    first_count     INT NOT NULL,
    second_count    INT NOT NULL,
    third_count     INT NOT NULL,
    honourable_count INT NOT NULL
) ENGINE=InnoDB;

INSERT INTO video_settings VALUES
(1, 1717516800 /* 2024-06-05 00:00:00 +08:00 */, 1725119999 /* 2024-08-31 23:59:59 +08:00 */, 10, 3, 5, 10, 30);

CREATE TABLE video_receipts (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id         BIGINT NOT NULL,       -- who sent it (mini-program user)
    unit_name       VARCHAR(100) NOT NULL,
    contact_name    VARCHAR(40) NOT NULL,
    contact_phone_sealed VARCHAR(255) NOT NULL,
    contact_phone_masked VARCHAR(20) NOT NULL,
    region_code     CHAR(6) NOT NULL,
    province_code   CHAR(6) NOT NULL,
    city_code       CHAR(6) NULL,
    county_code     CHAR(6) NULL,
    created_at      BIGINT NOT NULL,
    KEY k_receipts_user (user_id),
    KEY k_receipts_region (province_code, city_code, county_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE video_items (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    receipt_id      BIGINT NOT NULL,
    seq             INT NOT NULL,          -- the row number on the receipt
    title           VARCHAR(50) NOT NULL,
    url             VARCHAR(300) NOT NULL, -- canonical (rules/douyin.h)
    author          VARCHAR(40) NOT NULL,
    author_unit     VARCHAR(100) NOT NULL,
    -- WeChat's verdict on the title: review/unchecked go to the organizers
    content_review  ENUM('pass', 'review', 'unchecked') NOT NULL,
    award           ENUM('first', 'second', 'third', 'honourable') NULL,
    awarded_at      BIGINT NULL,
    awarded_by      BIGINT NULL,           -- organizers.id
    UNIQUE KEY uk_video_url (url),
    KEY k_items_receipt (receipt_id, seq),
    KEY k_items_award (award)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
