build-fp/engines/reports/replica.o: engines/reports/replica.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h server/clock.h lib/mono.h \
 server/config.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
server/clock.h:
lib/mono.h:
server/config.h:
