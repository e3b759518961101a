build-fp/engines/reports/stats.o: engines/reports/stats.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h rules/score.h lib/iso8601.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
rules/score.h:
lib/iso8601.h:
