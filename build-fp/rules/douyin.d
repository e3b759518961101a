build-fp/rules/douyin.o: rules/douyin.c rules/douyin.h
rules/douyin.h:
