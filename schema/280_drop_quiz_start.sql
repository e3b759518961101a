-- 280_drop_quiz_start: starts are committed in groups now
-- (engines/quiz/start_group.c: one locking read of the group's people, one
-- read of their day counts and open attempts, one INSERT ... RETURNING of
-- the new attempts, decisions in C), so nothing calls the one-start
-- procedure of 223 any more.

DROP PROCEDURE IF EXISTS quiz_start;
