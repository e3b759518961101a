-- 041_unit_search: the n-gram index behind GET /units?q= (handlers/unit_search.c).
--
-- MariaDB's FULLTEXT has no n-gram parser (InnoDB's ngram parser is
-- MySQL-only), and LIKE '%kw%' reads every row. So the index is kept by
-- hand: unit_ngrams holds every pair of adjacent characters (bigram) of
-- each unit's folded name. A keyword's bigrams are joined on the primary
-- key (gram, unit_id) — the optimizer drives the join from the rarest
-- bigram — and a LOCATE() on name_fold confirms the substring.
--
-- name_fold is the name as rules_search_fold() writes it (full-width ASCII
-- to ASCII, lower case, single spaces), binary-collated so that LOCATE and
-- the prefix range compare code points exactly: no collation folds 水 and
-- 氵 together, and no wildcard exists in a binary comparison.
--
-- search_indexed = 0 marks a unit whose bigrams are missing or stale. Rows
-- inserted by anything but POST /units (seed-demo, admin corrections,
-- merges) need only leave it 0 or set it back to 0 after a rename: the
-- server's background task (unit_search_backfill) indexes them within a
-- second or two.

-- k_units_region gains the live flags and name_fold, so that a search or
-- a listing inside a region reads only this index (a province's thousands
-- of units are one range of it, and LOCATE runs on the index entries).
ALTER TABLE units
    ADD COLUMN name_fold VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '' AFTER name,
    ADD COLUMN search_indexed TINYINT NOT NULL DEFAULT 0,
    ADD KEY k_units_name_fold (name_fold),
    ADD KEY k_units_unindexed (search_indexed),
    DROP KEY k_units_region,
    ADD KEY k_units_region (province_code, city_code, county_code, disabled, merged_into, name_fold);

CREATE TABLE unit_ngrams (
    gram     VARBINARY(8) NOT NULL,    -- two code points, UTF-8
    unit_id  BIGINT NOT NULL,
    PRIMARY KEY (gram, unit_id),
    KEY k_ngrams_unit (unit_id)
) ENGINE=InnoDB;
