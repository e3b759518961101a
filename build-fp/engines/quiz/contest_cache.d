build-fp/engines/quiz/contest_cache.o: engines/quiz/contest_cache.c \
 engines/quiz/contest_cache.h engines/quiz/contest.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h lib/ttl_cache.h \
 server/config.h
engines/quiz/contest_cache.h:
engines/quiz/contest.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
lib/ttl_cache.h:
server/config.h:
