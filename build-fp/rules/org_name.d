build-fp/rules/org_name.o: rules/org_name.c rules/org_name.h lib/utf8.h
rules/org_name.h:
lib/utf8.h:
