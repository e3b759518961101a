build-fp/engines/prizes/cert_pdf.o: engines/prizes/cert_pdf.c \
 engines/prizes/prizes.h engines/quiz/contest.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h rules/draw_file.h \
 rules/prize_alloc.h rules/prize_settings.h
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
