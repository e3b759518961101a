build-fp/rules/cert_serial.o: rules/cert_serial.c rules/cert_serial.h
rules/cert_serial.h:
