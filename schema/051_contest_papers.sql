-- 051_contest_papers: the papers of the two seeded contests, per category
-- of the sample bank (schema/seed/questions.csv), 20 questions each so the
-- thresholds of RULES.md (over 50, 85, full marks) hold on 20 x 5 points.
-- Each count is well within what the sample bank holds in that category
-- (13 to 29 questions each), so two attempts rarely share many questions.
-- Settings, not code: organizers change them with PUT /admin/contests/{id}.

SET NAMES utf8mb4;

-- The mini-program contest: every subject of RULES.md section 1.
UPDATE contests SET paper = '[{"category":"安全生产法","count":3},{"category":"六项机制","count":2},{"category":"隐患排查","count":2},{"category":"防灾减灾","count":2},{"category":"应急救援","count":2},{"category":"避险逃生","count":2},{"category":"自救互救","count":2},{"category":"公共安全","count":2},{"category":"责任保险","count":2},{"category":"治本攻坚","count":1}]'
 WHERE slug = 'shuian';

-- The six-mechanisms quiz: weighted toward the six mechanisms and the
-- work of water units (RULES.md section 2).
UPDATE contests SET paper = '[{"category":"六项机制","count":6},{"category":"安全生产法","count":4},{"category":"隐患排查","count":3},{"category":"治本攻坚","count":2},{"category":"应急救援","count":2},{"category":"防灾减灾","count":2},{"category":"责任保险","count":1}]'
 WHERE slug = 'liuxiang';
