build-fp/engines/reports/export_units.o: engines/reports/export_units.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
