build-fp/engines/wechat/wxcall.o: engines/wechat/wxcall.c \
 engines/wechat/wxcall.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h wx/wx_client.h server/router.h
engines/wechat/wxcall.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
wx/wx_client.h:
server/router.h:
