build-fp/lib/crypto.o: lib/crypto.c lib/crypto.h
lib/crypto.h:
