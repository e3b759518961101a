build-fp/rules/prize_settings.o: rules/prize_settings.c \
 rules/prize_settings.h rules/names.h
rules/prize_settings.h:
rules/names.h:
