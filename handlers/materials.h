/* materials.h: study materials (schema/182_materials.sql).
 *
 *   GET    /materials              public, ?contest_id: those published
 *                                  (published_at has come, not withdrawn)
 *                                  for that contest or for every contest;
 *                                  without contest_id, all published
 *   POST   /admin/materials        nationwide organizer: {"title", "url",
 *                                  "published_at", "contest_id"?} -> 201
 *                                  {"material"}; a link (http or https).
 *                                  "upload_id" is refused (400
 *                                  uploads_unavailable): this server keeps
 *                                  no uploads yet, so a PDF is published as
 *                                  a link to where it is kept
 *   DELETE /admin/materials/{id}   nationwide organizer: withdraw (204); the
 *                                  row stays with who withdrew it and when;
 *                                  404 material_not_found (also when already
 *                                  withdrawn) */
#ifndef MATERIALS_H
#define MATERIALS_H

#include "server/request.h"

int h_materials_list(req_t *r);
int h_admin_material_create(req_t *r);
int h_admin_material_delete(req_t *r);

#endif
