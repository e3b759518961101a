build-fp/rules/mask.o: rules/mask.c rules/mask.h lib/utf8.h
rules/mask.h:
lib/utf8.h:
