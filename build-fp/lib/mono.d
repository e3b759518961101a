build-fp/lib/mono.o: lib/mono.c lib/mono.h
lib/mono.h:
