build-fp/rules/score.o: rules/score.c rules/score.h lib/iso8601.h
rules/score.h:
lib/iso8601.h:
