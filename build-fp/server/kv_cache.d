build-fp/server/kv_cache.o: server/kv_cache.c server/kv_cache.h \
 server/kv.h server/arena.h
server/kv_cache.h:
server/kv.h:
server/arena.h:
