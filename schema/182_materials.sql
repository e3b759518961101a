-- 182_materials: study materials organizers publish (POST
-- /admin/materials, DELETE /admin/materials/{id}; GET /materials lists
-- those whose published_at has come and that were not withdrawn).
-- kind 'link' only for now: this branch has no uploads table, so a file
-- is published as a link to where it is kept (kind 'file' is reserved for
-- uploads, with upload_id). contest_id NULL: for every contest.
-- A withdrawal keeps the row (withdrawn_at, withdrawn_by): who published
-- and withdrew what stays on record. Times are Unix seconds.

SET NAMES utf8mb4;

CREATE TABLE materials (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    contest_id      BIGINT NULL,
    title           VARCHAR(100) NOT NULL,
    kind            ENUM('file', 'link') NOT NULL,
    url             VARCHAR(500) NOT NULL,
    upload_id       BIGINT NULL,
    published_at    BIGINT NOT NULL,
    created_by      BIGINT NULL,           -- organizers.id; NULL: the seed
    created_at      BIGINT NOT NULL,
    withdrawn_at    BIGINT NULL,
    withdrawn_by    BIGINT NULL,
    KEY k_materials_list (contest_id, withdrawn_at, published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The six-mechanisms quiz's materials open on 2024-05-25 08:00 +08:00
-- (RULES.md section 2). Organizers replace these links with their own.
INSERT INTO materials (contest_id, title, kind, url, published_at, created_at)
SELECT id, '“六项机制”学习资料（水利部网站）', 'link', 'https://www.mwr.gov.cn/',
       1716595200 /* 2024-05-25 08:00:00 +08:00 */, 0 FROM contests WHERE slug = 'liuxiang';
INSERT INTO materials (contest_id, title, kind, url, published_at, created_at)
SELECT id, '《中华人民共和国安全生产法》（国家法律法规数据库）', 'link', 'https://flk.npc.gov.cn/',
       1716595200 /* 2024-05-25 08:00:00 +08:00 */, 0 FROM contests WHERE slug = 'liuxiang';
