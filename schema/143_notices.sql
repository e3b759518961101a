-- 143_notices: subscribe messages people accepted, and the notices sent
-- with them (a draw's result to its winners, a certificate to those who
-- may download it). One accepted message = one message WeChat lets us send.

CREATE TABLE subscriptions (
    user_id         BIGINT NOT NULL,
    template        ENUM('result', 'certificate', 'event') NOT NULL,
    accepted_at     BIGINT NOT NULL,
    used_at         BIGINT NULL,          -- a message was sent (or WeChat refused it)
    PRIMARY KEY (user_id, template),
    KEY k_subs_open (template, used_at, user_id)
) ENGINE=InnoDB;

-- At most one notice per kind, contest and person (the unique key). State:
-- pending (next_at: when to try) -> sending (claimed by one server) ->
-- sent | skipped (43101: no longer subscribed) | failed (given up, or the
-- outcome is unknown and a retry could send it twice; also a claim left
-- in sending for ten minutes by a server that stopped). next_at is the
-- claim time while sending.
CREATE TABLE notices (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    kind            ENUM('result', 'certificate') NOT NULL,
    contest_id      BIGINT NOT NULL,
    user_id         BIGINT NOT NULL,
    state           ENUM('pending', 'sending', 'sent', 'skipped', 'failed') NOT NULL DEFAULT 'pending',
    attempts        INT NOT NULL DEFAULT 0,
    next_at         BIGINT NOT NULL,
    last_errcode    INT NULL,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT NULL,
    UNIQUE KEY uk_notice (kind, contest_id, user_id),
    KEY k_notices_due (state, next_at)
) ENGINE=InnoDB;
