build-fp/engines/quiz/paper_text.o: engines/quiz/paper_text.c \
 engines/quiz/paper_text.h engines/quiz/bank.h rules/paper_draw.h \
 rules/attempt.h server/db.h server/arena.h server/status.h
engines/quiz/paper_text.h:
engines/quiz/bank.h:
rules/paper_draw.h:
rules/attempt.h:
server/db.h:
server/arena.h:
server/status.h:
