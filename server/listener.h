/* listener.h: the FastCGI listening socket. */
#ifndef LISTENER_H
#define LISTENER_H

/* Open a non-blocking listening socket for "unix:/path" (any old socket
 * file is replaced; mode 0660) or "host:port" (IPv4). Returns the
 * descriptor, or -1 with errno set. */
int listener_open(const char *spec) __attribute__((warn_unused_result));

#endif
