build-fp/rules/event_window.o: rules/event_window.c rules/event_window.h
rules/event_window.h:
