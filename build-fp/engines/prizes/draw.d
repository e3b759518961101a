build-fp/engines/prizes/draw.o: engines/prizes/draw.c \
 engines/prizes/prizes.h engines/quiz/contest.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h rules/draw_file.h \
 rules/prize_alloc.h rules/prize_settings.h engines/accounts/seal.h \
 engines/accounts/session.h rules/draw_rng.h rules/mask.h rules/names.h \
 rules/phone_id.h rules/score.h lib/iso8601.h server/clock.h lib/mono.h \
 server/log.h lib/crypto.h
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
engines/accounts/seal.h:
engines/accounts/session.h:
rules/draw_rng.h:
rules/mask.h:
rules/names.h:
rules/phone_id.h:
rules/score.h:
lib/iso8601.h:
server/clock.h:
lib/mono.h:
server/log.h:
lib/crypto.h:
