build-fp/rules/export_cell.o: rules/export_cell.c rules/export_cell.h
rules/export_cell.h:
