build-fp/engines/reports/export_people.o: engines/reports/export_people.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h rules/mask.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
rules/mask.h:
