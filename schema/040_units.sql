-- Units (water administrations, water enterprises, other units) and the
-- people registered under them. Five-into members register under a
-- sponsoring water unit; board_unit_id is the unit whose totals their
-- contest score joins (their own unit for staff, the sponsor for five-into).
-- Region columns are denormalised from regions so boards and filters need
-- no join: a province, city or county code, with its parents.

CREATE TABLE units (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    name            VARCHAR(100) NOT NULL,
    credit_code     CHAR(18) NOT NULL,
    region_code     CHAR(6) NOT NULL,
    province_code   CHAR(6) NOT NULL,
    city_code       CHAR(6) NULL,
    county_code     CHAR(6) NULL,
    type            ENUM('water_admin', 'water_enterprise', 'other') NOT NULL,
    headcount       INT NOT NULL,
    contact_name    VARCHAR(40) NOT NULL DEFAULT '',
    contact_phone_sealed VARCHAR(255) NULL,
    created_by      BIGINT NULL,
    created_at      BIGINT NOT NULL,
    disabled        TINYINT NOT NULL DEFAULT 0,
    merged_into     BIGINT NULL,
    UNIQUE KEY uk_units_credit_code (credit_code),
    KEY k_units_region (province_code, city_code, county_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE profiles (
    user_id         BIGINT NOT NULL PRIMARY KEY,
    real_name       VARCHAR(40) NOT NULL,
    region_code     CHAR(6) NOT NULL,
    province_code   CHAR(6) NOT NULL,
    city_code       CHAR(6) NULL,
    county_code     CHAR(6) NULL,
    kind            ENUM('staff', 'five_into') NOT NULL,
    unit_id         BIGINT NULL,            -- staff: their unit
    is_unit_leader  TINYINT NOT NULL DEFAULT 0,
    position        VARCHAR(60) NULL,
    five_into_category ENUM('enterprise', 'village', 'community', 'school', 'family') NULL,
    five_into_org   VARCHAR(100) NULL,
    sponsor_unit_id BIGINT NULL,            -- five-into: the sponsoring water unit
    board_unit_id   BIGINT NOT NULL,        -- unit_id or sponsor_unit_id
    name_review     ENUM('pass', 'review') NOT NULL DEFAULT 'pass',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    KEY k_profiles_board_unit (board_unit_id),
    KEY k_profiles_region (province_code, city_code, county_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
