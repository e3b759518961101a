build-fp/wx/wx_token.o: wx/wx_token.c wx/wx_token.h wx/wx_client.h \
 server/config.h server/log.h lib/mono.h wx/wx_internal.h
wx/wx_token.h:
wx/wx_client.h:
server/config.h:
server/log.h:
lib/mono.h:
wx/wx_internal.h:
