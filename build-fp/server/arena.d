build-fp/server/arena.o: server/arena.c server/arena.h
server/arena.h:
