/* materials.h: study materials (schema/182_materials.sql,
 * schema/240_material_files.sql).
 *
 *   GET    /materials              public, ?contest_id: those published
 *                                  (published_at has come, not withdrawn)
 *                                  for that contest or for every contest;
 *                                  without contest_id, all published. A
 *                                  file's url is /api/v1/materials/{id}/file
 *   GET    /materials/{id}/file    public: a file material's PDF while it is
 *                                  published (404 material_not_found before
 *                                  published_at, after withdrawal, for a
 *                                  link); named material-<id>.pdf and, in
 *                                  filename*, after its title
 *   POST   /admin/materials        nationwide organizer: {"title",
 *                                  "url" | "upload_id", "published_at",
 *                                  "contest_id"?} -> 201 {"material"}; a
 *                                  link (http or https) or a PDF an
 *                                  organizer uploaded with POST /uploads
 *                                  (404 upload_not_found also for a
 *                                  person's upload; 415
 *                                  unsupported_media_type for a picture)
 *   DELETE /admin/materials/{id}   nationwide organizer: withdraw (204); the
 *                                  row stays with who withdrew it and when;
 *                                  404 material_not_found (also when already
 *                                  withdrawn) */
#ifndef MATERIALS_H
#define MATERIALS_H

#include "server/request.h"

int h_materials_list(req_t *r);
int h_material_file(req_t *r);
int h_admin_material_create(req_t *r);
int h_admin_material_delete(req_t *r);

#endif
