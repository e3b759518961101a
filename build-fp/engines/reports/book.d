build-fp/engines/reports/book.o: engines/reports/book.c \
 engines/reports/reports.h server/arena.h server/db.h server/status.h \
 rules/export_cell.h
engines/reports/reports.h:
server/arena.h:
server/db.h:
server/status.h:
rules/export_cell.h:
