build-fp/engines/quiz/rescore.o: engines/quiz/rescore.c \
 engines/quiz/rescore.h server/db.h server/arena.h server/status.h \
 rules/score.h lib/iso8601.h
engines/quiz/rescore.h:
server/db.h:
server/arena.h:
server/status.h:
rules/score.h:
lib/iso8601.h:
