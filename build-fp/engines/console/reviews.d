build-fp/engines/console/reviews.o: engines/console/reviews.c \
 engines/console/console.h server/arena.h server/db.h server/status.h \
 rules/area.h rules/score.h lib/iso8601.h server/clock.h lib/mono.h
engines/console/console.h:
server/arena.h:
server/db.h:
server/status.h:
rules/area.h:
rules/score.h:
lib/iso8601.h:
server/clock.h:
lib/mono.h:
