build-fp/rules/media_type.o: rules/media_type.c rules/media_type.h
rules/media_type.h:
