build-fp/engines/reports/events.o: engines/reports/events.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h engines/console/console.h \
 rules/event_window.h rules/score.h lib/iso8601.h lib/utf8.h \
 server/config.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
engines/console/console.h:
rules/event_window.h:
rules/score.h:
lib/iso8601.h:
lib/utf8.h:
server/config.h:
