build-fp/engines/wechat/content_check.o: engines/wechat/content_check.c \
 engines/wechat/content_check.h server/request.h server/arena.h \
 server/db.h server/status.h server/kv.h wx/wx_client.h server/clock.h \
 lib/mono.h server/config.h server/log.h server/router.h \
 engines/wechat/wxcall.h
engines/wechat/content_check.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
wx/wx_client.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
engines/wechat/wxcall.h:
