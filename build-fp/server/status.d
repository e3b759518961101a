build-fp/server/status.o: server/status.c server/status.h
server/status.h:
