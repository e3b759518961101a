build-fp/server/peers.o: server/peers.c server/peers.h
server/peers.h:
