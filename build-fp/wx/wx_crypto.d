build-fp/wx/wx_crypto.o: wx/wx_crypto.c wx/wx_crypto.h lib/crypto.h
wx/wx_crypto.h:
lib/crypto.h:
