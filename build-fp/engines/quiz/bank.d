build-fp/engines/quiz/bank.o: engines/quiz/bank.c engines/quiz/bank.h \
 rules/paper_draw.h rules/attempt.h server/db.h server/arena.h \
 server/status.h server/log.h
engines/quiz/bank.h:
rules/paper_draw.h:
rules/attempt.h:
server/db.h:
server/arena.h:
server/status.h:
server/log.h:
