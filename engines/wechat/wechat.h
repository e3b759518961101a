/* wechat.h: the WeChat engine — calling WeChat from a request.
 *
 * It offers: the Redis connection a token-using call needs and the reply
 * for a WeChat failure (wxcall.h), and the content check of registered
 * text with its review list (content_check.h). The client itself, which
 * knows nothing of requests, is wx/. */
#ifndef ENGINES_WECHAT_H
#define ENGINES_WECHAT_H

#include "engines/wechat/content_check.h"
#include "engines/wechat/wxcall.h"

#endif
