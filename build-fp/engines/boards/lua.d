build-fp/engines/boards/lua.o: engines/boards/lua.c \
 engines/boards/boards.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/boards/internal.h \
 build-fp/gen/engines/boards/keys.lua.h \
 build-fp/gen/engines/boards/apply.lua.h \
 build-fp/gen/engines/boards/read.lua.h
engines/boards/boards.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/boards/internal.h:
build-fp/gen/engines/boards/keys.lua.h:
build-fp/gen/engines/boards/apply.lua.h:
build-fp/gen/engines/boards/read.lua.h:
