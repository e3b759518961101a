build-fp/lib/iso8601.o: lib/iso8601.c lib/iso8601.h
lib/iso8601.h:
