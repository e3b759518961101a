build-fp/rules/region_code.o: rules/region_code.c rules/region_code.h
rules/region_code.h:
