build-fp/rules/search_text.o: rules/search_text.c rules/search_text.h \
 lib/utf8.h
rules/search_text.h:
lib/utf8.h:
