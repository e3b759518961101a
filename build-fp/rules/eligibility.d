build-fp/rules/eligibility.o: rules/eligibility.c rules/eligibility.h
rules/eligibility.h:
