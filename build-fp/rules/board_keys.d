build-fp/rules/board_keys.o: rules/board_keys.c rules/board_keys.h \
 rules/region_code.h
rules/board_keys.h:
rules/region_code.h:
