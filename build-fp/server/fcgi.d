build-fp/server/fcgi.o: server/fcgi.c server/fcgi.h
server/fcgi.h:
