build-fp/engines/prizes/notices.o: engines/prizes/notices.c \
 engines/prizes/prizes.h engines/quiz/contest.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h rules/draw_file.h \
 rules/prize_alloc.h rules/prize_settings.h rules/names.h server/clock.h \
 lib/mono.h server/config.h server/log.h wx/wx_client.h
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
rules/names.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
wx/wx_client.h:
