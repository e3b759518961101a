build-fp/rules/area.o: rules/area.c rules/area.h
rules/area.h:
