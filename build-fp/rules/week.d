build-fp/rules/week.o: rules/week.c rules/week.h rules/score.h \
 lib/iso8601.h
rules/week.h:
rules/score.h:
lib/iso8601.h:
