build-fp/rules/prize_alloc.o: rules/prize_alloc.c rules/prize_alloc.h \
 rules/prize_settings.h
rules/prize_alloc.h:
rules/prize_settings.h:
