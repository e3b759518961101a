build-fp/lib/ttl_cache.o: lib/ttl_cache.c lib/ttl_cache.h lib/mono.h
lib/ttl_cache.h:
lib/mono.h:
