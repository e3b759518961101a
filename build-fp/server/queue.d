build-fp/server/queue.o: server/queue.c server/queue.h
server/queue.h:
