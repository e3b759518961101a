build-fp/engines/prizes/draw_run.o: engines/prizes/draw_run.c \
 engines/prizes/prizes.h engines/quiz/contest.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h rules/draw_file.h \
 rules/prize_alloc.h rules/prize_settings.h rules/draw_rng.h lib/crypto.h
engines/prizes/prizes.h:
engines/quiz/contest.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
rules/draw_file.h:
rules/prize_alloc.h:
rules/prize_settings.h:
rules/draw_rng.h:
lib/crypto.h:
