build-fp/rules/paper_draw.o: rules/paper_draw.c rules/paper_draw.h \
 rules/attempt.h
rules/paper_draw.h:
rules/attempt.h:
