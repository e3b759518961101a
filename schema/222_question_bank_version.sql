-- 222_question_bank_version: the question bank's version, and each
-- attempt's seed and the bank version its paper was drawn from.
--
-- The server keeps the active questions in memory per bank version
-- (engines/quiz/bank.c) and draws a paper from a random seed
-- (rules/paper_draw.h) instead of asking MariaDB for random rows. Every
-- writer of questions (handlers/questions.c: an edit, an import) adds one
-- to question_bank.version in its transaction, so a server sees the
-- change at its next start and reads the bank again.
--
-- attempts.questions stays the paper as drawn (ids and option orders) for
-- every reader; seed + bank_version say where it came from: drawing again
-- with the seed from the bank at that version gives the same paper.
-- Attempts from before this migration have neither (NULL).

CREATE TABLE question_bank (
    id              TINYINT PRIMARY KEY,
    version         BIGINT NOT NULL
) ENGINE=InnoDB;

INSERT INTO question_bank (id, version) VALUES (1, 1);

ALTER TABLE attempts
    ADD COLUMN seed BINARY(16) NULL,
    ADD COLUMN bank_version BIGINT NULL;
