build-fp/rules/attempt.o: rules/attempt.c rules/attempt.h
rules/attempt.h:
