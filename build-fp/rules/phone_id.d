build-fp/rules/phone_id.o: rules/phone_id.c rules/phone_id.h
rules/phone_id.h:
