/* certificates.h: GET /me/certificate and GET /certificates/{serial}. */
#ifndef HANDLERS_CERTIFICATES_H
#define HANDLERS_CERTIFICATES_H

#include "server/request.h"

int h_me_certificate(req_t *r);
int h_certificate_verify(req_t *r);

#endif
