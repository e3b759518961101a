build-fp/rules/draw_rng.o: rules/draw_rng.c rules/draw_rng.h
rules/draw_rng.h:
