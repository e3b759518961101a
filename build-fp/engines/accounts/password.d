build-fp/engines/accounts/password.o: engines/accounts/password.c \
 engines/accounts/password.h server/clock.h lib/mono.h lib/crypto.h
engines/accounts/password.h:
server/clock.h:
lib/mono.h:
lib/crypto.h:
