build-fp/rules/console_code.o: rules/console_code.c rules/console_code.h
rules/console_code.h:
