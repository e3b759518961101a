build-fp/server/listener.o: server/listener.c server/listener.h
server/listener.h:
