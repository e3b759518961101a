-- 200_web_sessions_console: the console's sign-in by scanning (issue 10,
-- engines/websession/). A web session made for the console ('console')
-- hands over a unit admin's console session, as POST /admin/login with a
-- one-time code does; one made for the quiz page ('quiz') the user role
-- only, as before. unit_id: the unit the confirming admin administered at
-- the confirmation; the session is handed over only while they still do.

ALTER TABLE web_sessions
    ADD COLUMN purpose ENUM('quiz', 'console') NOT NULL DEFAULT 'quiz' AFTER secret_hash,
    ADD COLUMN unit_id BIGINT NULL AFTER user_id;
