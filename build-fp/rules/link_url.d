build-fp/rules/link_url.o: rules/link_url.c rules/link_url.h
rules/link_url.h:
