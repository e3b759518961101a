build-fp/engines/reports/runner.o: engines/reports/runner.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h server/clock.h lib/mono.h \
 server/config.h lib/crypto.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
server/clock.h:
lib/mono.h:
server/config.h:
lib/crypto.h:
