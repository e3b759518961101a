build-fp/engines/prizes/certificate.o: engines/prizes/certificate.c \
 engines/prizes/prizes.h engines/quiz/contest.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h rules/draw_file.h \
 rules/prize_alloc.h rules/prize_settings.h engines/accounts/seal.h \
 rules/cert_serial.h rules/mask.h rules/phone_id.h rules/score.h \
 lib/iso8601.h server/clock.h lib/mono.h server/config.h server/log.h \
 lib/crypto.h
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
rules/cert_serial.h:
rules/mask.h:
rules/phone_id.h:
rules/score.h:
lib/iso8601.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
lib/crypto.h:
