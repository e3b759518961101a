build-fp/lib/group_commit.o: lib/group_commit.c lib/group_commit.h \
 lib/mono.h
lib/group_commit.h:
lib/mono.h:
