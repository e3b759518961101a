build-fp/rules/credit_code.o: rules/credit_code.c rules/credit_code.h
rules/credit_code.h:
