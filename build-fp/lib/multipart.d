build-fp/lib/multipart.o: lib/multipart.c lib/multipart.h
lib/multipart.h:
