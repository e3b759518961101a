-- 295_profiles_board_cover: an index of profiles holding exactly what the
-- boards' rebuild reads of each person (engines/boards/model.c,
-- load_people), so MariaDB answers the rebuild's join of contest_scores
-- with profiles, one look-up a person in score order, from this index's
-- small entries instead of the clustered rows (which carry the position,
-- the five-into organisation and the timestamps too): fewer pages touched
-- and less to decode per person. Unique on its first column, so the join
-- is still one eq_ref look-up a person. It costs every write of a profile
-- one more index entry; profiles are written at registration and on an
-- edit, not per quiz.

ALTER TABLE profiles
    ADD UNIQUE KEY k_profiles_board (user_id, province_code, city_code, county_code, board_unit_id,
                                     kind, name_review, real_name);
