build-fp/rules/names.o: rules/names.c rules/names.h lib/utf8.h
rules/names.h:
lib/utf8.h:
