build-fp/rules/draw_file.o: rules/draw_file.c rules/draw_file.h \
 rules/prize_alloc.h rules/prize_settings.h
rules/draw_file.h:
rules/prize_alloc.h:
rules/prize_settings.h:
