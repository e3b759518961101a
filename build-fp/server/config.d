build-fp/server/config.o: server/config.c server/config.h lib/hostport.h
server/config.h:
lib/hostport.h:
