build-fp/rules/question_row.o: rules/question_row.c rules/question_row.h
rules/question_row.h:
