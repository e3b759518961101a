-- 181_contest_audience_review: who may answer a contest and when its
-- answer key is shown (RULES.md, API.md "Rules the API enforces").
--   audience: 'all' (staff and five-into members) or 'staff' (only the
--     staff of water authorities and units);
--   review_policy: 'after_submit' (practice: the submit reply carries each
--     answer and explanation) or 'after_end' (contests with prizes: until
--     ends_at a submit shows the score and the number right only; the
--     review is GET /attempts/{id} once the contest has closed).
-- A contest made later gets 'all' and 'after_end' unless its organizer says
-- otherwise: keeping the key back is the safe default.

ALTER TABLE contests
    ADD COLUMN audience ENUM('all', 'staff') NOT NULL DEFAULT 'all' AFTER is_main,
    ADD COLUMN review_policy ENUM('after_submit', 'after_end') NOT NULL DEFAULT 'after_end' AFTER audience;

-- The seeded contests (RULES.md): the six-mechanisms quiz is for staff
-- only, registration by 06-05 (030_contests.sql already says so); the main
-- contest is open to all, registration by 06-10. Both keep the key back.
UPDATE contests SET audience = 'staff', review_policy = 'after_end' WHERE slug = 'liuxiang';
UPDATE contests SET audience = 'all', review_policy = 'after_end' WHERE slug = 'shuian';
