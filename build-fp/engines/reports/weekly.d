build-fp/engines/reports/weekly.o: engines/reports/weekly.c \
 engines/reports/reports_int.h engines/reports/reports.h server/arena.h \
 server/db.h server/status.h server/log.h
engines/reports/reports_int.h:
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
server/log.h:
