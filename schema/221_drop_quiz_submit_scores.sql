-- 221_drop_quiz_submit_scores: the one-submit procedure of 052 is no
-- longer called: every submit is written by quiz_submit_group (220), alone
-- or with the others of its group (engines/quiz/group.c).
DROP PROCEDURE IF EXISTS quiz_submit_scores;
