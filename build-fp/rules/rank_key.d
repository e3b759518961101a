build-fp/rules/rank_key.o: rules/rank_key.c rules/rank_key.h
rules/rank_key.h:
