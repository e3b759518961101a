build-fp/server/main.o: server/main.c server/clock.h lib/mono.h \
 server/config.h server/db.h server/arena.h server/status.h server/log.h \
 server/main.h server/router.h server/request.h server/kv.h \
 server/server.h server/migrate.h /usr/include/mariadb/mysql.h \
 /usr/include/mariadb/mariadb_com.h \
 /usr/include/mariadb/mariadb_version.h /usr/include/mariadb/ma_list.h \
 /usr/include/mariadb/mariadb_ctype.h /usr/include/mariadb/mariadb_stmt.h
server/clock.h:
lib/mono.h:
server/config.h:
server/db.h:
server/arena.h:
server/status.h:
server/log.h:
server/main.h:
server/router.h:
server/request.h:
server/kv.h:
server/server.h:
server/migrate.h:
/usr/include/mariadb/mysql.h:
/usr/include/mariadb/mariadb_com.h:
/usr/include/mariadb/mariadb_version.h:
/usr/include/mariadb/ma_list.h:
/usr/include/mariadb/mariadb_ctype.h:
/usr/include/mariadb/mariadb_stmt.h:
