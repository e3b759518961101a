build-fp/engines/accounts/login_twins.o: engines/accounts/login_twins.c \
 engines/accounts/login_twins.h server/request.h server/arena.h \
 server/db.h server/status.h server/kv.h server/park.h
engines/accounts/login_twins.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/park.h:
