-- 310_submit_group_entries: a group of submits gets the board entries of
-- the outbox rows it wrote from the CALL that writes them
-- (quiz_submit_group_entries), instead of
-- reading them back in a statement round trip of its own
-- (engines/quiz/group.c step 3, engines/boards/submit_ranks.c).
--
-- board_outbox_entries: outbox rows as the boards' entries, the one place
-- that says how (engines/boards/internal.h, LB_ENTRY_SELECT, reads it
-- too). Column k is column k of an entry, as lb_entry_from_row reads it;
-- applied_at comes last, for the drain's WHERE. A disabled or merged unit
-- is no unit on the boards. MERGE: a query on the view is planned as the
-- join itself, with its WHERE on board_outbox's keys.

CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW board_outbox_entries AS
SELECT o.attempt_id, o.user_id, o.new_score, o.reached_at, c.starts_at,
       p.province_code, p.city_code, p.county_code, u.id AS unit_id, p.kind, p.real_name,
       u.name AS unit_name, u.province_code AS unit_province_code, u.city_code AS unit_city_code,
       u.county_code AS unit_county_code, u.headcount, o.id, o.contest_id,
       p.name_review, u.name_state, u.verified, o.applied_at
  FROM board_outbox o JOIN contests c ON c.id = o.contest_id
  LEFT JOIN profiles p ON p.user_id = o.user_id
  LEFT JOIN units u ON u.id = p.board_unit_id AND u.disabled = 0 AND u.merged_into IS NULL;

-- quiz_submit_group (220) and then one result set: the entries of the
-- outbox rows it wrote, in the order written. The boards apply them before
-- the COMMIT (this transaction sees them) for the ranks in the stored
-- replies.
CREATE PROCEDURE quiz_submit_group_entries(IN p_entries LONGTEXT)
    MODIFIES SQL DATA
BEGIN
    CALL quiz_submit_group(p_entries);
    SELECT e.*
      FROM JSON_TABLE(p_entries, '$[*]' COLUMNS (ja BIGINT PATH '$.a')) j
      STRAIGHT_JOIN board_outbox_entries e ON e.attempt_id = j.ja
     ORDER BY e.id;
END;
