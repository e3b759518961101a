build-fp/server/db.o: server/db.c server/db.h server/arena.h \
 server/status.h server/config.h server/log.h \
 /usr/include/mariadb/mysql.h /usr/include/mariadb/mariadb_com.h \
 /usr/include/mariadb/mariadb_version.h /usr/include/mariadb/ma_list.h \
 /usr/include/mariadb/mariadb_ctype.h /usr/include/mariadb/mariadb_stmt.h \
 /usr/include/mariadb/errmsg.h
server/db.h:
server/arena.h:
server/status.h:
server/config.h:
server/log.h:
/usr/include/mariadb/mysql.h:
/usr/include/mariadb/mariadb_com.h:
/usr/include/mariadb/mariadb_version.h:
/usr/include/mariadb/ma_list.h:
/usr/include/mariadb/mariadb_ctype.h:
/usr/include/mariadb/mariadb_stmt.h:
/usr/include/mariadb/errmsg.h:
