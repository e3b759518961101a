build-fp/engines/reports/export_winners.o: \
 engines/reports/export_winners.c engines/reports/reports_int.h \
 engines/reports/reports.h server/arena.h server/db.h server/status.h \
 server/log.h lib/crypto.h server/config.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
lib/crypto.h:
server/config.h:
