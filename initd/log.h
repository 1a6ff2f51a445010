/* log.h — initd's own messages: to stderr (the console when PID 1) and, when
 * PID 1, to /dev/kmsg. Never blocks: both fds are non-blocking and a message
 * that does not fit is dropped and counted. Services' output is not logged
 * here; see logbuf.h. */
#ifndef INITD_LOG_H
#define INITD_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "common/util.h"

void log_open(bool kmsg);
void log_set_max_level(int level);
void log_msg(int level, const char *fmt, ...) _printf_(2, 3);
unsigned long log_dropped(void);

/* Copy a chunk of a service's output to the console and/or /dev/kmsg, one
 * "NAME: line" record per line. Non-blocking like everything here. */
void log_service_output(const char *name, const char *buf, size_t len, bool console,
			bool kmsg);

#define log_error(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
