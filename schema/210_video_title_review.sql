-- 210_video_title_review: titles of safety videos that WeChat's content
-- check marked `review` (or could not check) join the console's review
-- queue as kind 'video_title' (subject_id: video_items.id); an organizer's
-- rejection marks the work 'rejected', which the organizers' video list and
-- the videos export show (the work stays listed, flagged, so a rejected
-- title is visible rather than silently gone).

ALTER TABLE content_reviews
    MODIFY kind ENUM('unit_name', 'contact_name', 'real_name', 'org_name', 'position', 'video_title') NOT NULL;

ALTER TABLE video_items
    MODIFY content_review ENUM('pass', 'review', 'unchecked', 'rejected') NOT NULL;
