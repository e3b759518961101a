build-fp/lib/csv.o: lib/csv.c lib/csv.h
lib/csv.h:
