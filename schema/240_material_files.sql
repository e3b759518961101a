-- 240_material_files: study materials kept as uploaded PDFs (issue 13).
-- An organizer uploads the file (POST /uploads, stored in `uploads` with
-- organizer_id) and publishes a material naming it (kind 'file',
-- upload_id); GET /materials/{id}/file serves it from published_at until
-- it is withdrawn. A file material has no url of its own: the list shows
-- the path of that route, so url is NULL for kind 'file'.

ALTER TABLE materials
    MODIFY COLUMN url VARCHAR(500) NULL,
    ADD KEY k_materials_upload (upload_id);

-- Organizers upload too now (the materials' files): their uploads are
-- counted per organizer and day, as people's are per person.
ALTER TABLE uploads
    ADD KEY k_uploads_organizer (organizer_id);
