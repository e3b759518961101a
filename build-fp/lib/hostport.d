build-fp/lib/hostport.o: lib/hostport.c lib/hostport.h
lib/hostport.h:
