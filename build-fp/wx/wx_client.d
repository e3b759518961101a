build-fp/wx/wx_client.o: wx/wx_client.c wx/wx_client.h server/config.h \
 server/log.h wx/wx_internal.h wx/wx_token.h
wx/wx_client.h:
server/config.h:
server/log.h:
wx/wx_internal.h:
wx/wx_token.h:
