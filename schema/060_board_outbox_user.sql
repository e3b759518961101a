-- 060_board_outbox_user: the submit handler applies its own person's
-- pending outbox entries right after its commit (lb_rank_after_submit), so
-- the rank in its reply is current; this index finds them without reading
-- the whole backlog that piles up while Redis is down.
ALTER TABLE board_outbox ADD KEY k_outbox_user (contest_id, user_id, applied_at);
