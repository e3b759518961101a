-- 180_web_sessions: sign-in on the web quiz page by scanning a code with
-- the mini-program (engines/websession/). The page creates a row and
-- shows the code of scene "w=<id>"; the mini-program confirms with the
-- person's token (user_id, confirmed_at); the page, polling with a secret
-- only it holds (kept here as its SHA-256, as sessions keep tokens),
-- collects a session of its own once (delivered_at). No token is stored:
-- the session is made at the moment it is handed over.
-- expires_at: while pending, two minutes after creation; once confirmed,
-- two minutes after the confirmation (the time the page has to collect).
-- Rows are deleted an hour after they expire (when new ones are made).
-- Times are Unix seconds from the server's clock.

CREATE TABLE web_sessions (
    id              CHAR(24) NOT NULL PRIMARY KEY,
    secret_hash     CHAR(64) NOT NULL,
    user_id         BIGINT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    confirmed_at    BIGINT NULL,
    delivered_at    BIGINT NULL,
    KEY k_web_sessions_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
