build-fp/engines/reports/jobs.o: engines/reports/jobs.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h rules/region_code.h \
 rules/score.h lib/iso8601.h rules/week.h server/clock.h lib/mono.h \
 server/config.h lib/crypto.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
rules/region_code.h:
rules/score.h:
lib/iso8601.h:
rules/week.h:
server/clock.h:
lib/mono.h:
server/config.h:
lib/crypto.h:
