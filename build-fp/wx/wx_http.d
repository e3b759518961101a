build-fp/wx/wx_http.o: wx/wx_http.c wx/wx_client.h server/config.h \
 server/log.h lib/crypto.h lib/mono.h wx/wx_internal.h
wx/wx_client.h:
server/config.h:
server/log.h:
lib/crypto.h:
lib/mono.h:
wx/wx_internal.h:
