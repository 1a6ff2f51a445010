/* logwriter.h — persistent logs (issue 14): the log writer process and
 * PID 1's side of it. doc/DESIGN.md, "Persistent logs", says why.
 *
 * write(2) to a regular file blocks on a slow or full disk whatever
 * O_NONBLOCK says, so PID 1 never writes a log file itself. It runs a log
 * writer, `initd --log-writer`: a mode of initd-loader (loader/logwriter.c),
 * exec'd from the sealed memfd copy the reaper runs too
 * (loader_exe_sealed_fd; a fresh program: it holds nothing of PID 1's
 * heap, and PID 1's binary none of its code), and feeds it records over a SOCK_SEQPACKET socketpair whose
 * end PID 1 holds non-blocking. A record is {file, max_size, keep, lines
 * dropped before it, flags, stamped text}; a post-mortem's file is the
 * unit's log file, beside which the writer puts it. The writer opens (creating the
 * directory), appends, rotates (FILE -> FILE.1 ... FILE.KEEP, the oldest
 * dropped) before a write would take FILE past max_size, fdatasyncs a file
 * a second after its last write, and fsyncs everything and exits at
 * end-of-file. What it has to say (a file it cannot write) comes back as
 * text on the same socket, and PID 1 logs it.
 *
 * PID 1 side: a record the socket does not take now waits in a bounded
 * queue (LOGWRITER_QUEUE_MAX bytes); past it the record is refused and the
 * caller counts its lines as dropped, then sends the count with its next
 * record, which the writer writes first as "STAMP [initd: N lines
 * dropped]". PID 1 never waits for the writer: a stopped or slow writer
 * costs the queue and dropped lines, never a stall. A writer that dies is
 * started again after a backoff (100ms doubling to 30s, reset by a run of
 * a minute), and said so in initd's log; the records it had taken but not
 * written are lost with it.
 *
 * At shutdown (logwriter_close) PID 1 sends what the queue holds, shuts its
 * end for writing (the writer reads end-of-file, fsyncs, exits) and waits
 * for the writer's exit, at most LOGWRITER_CLOSE_USEC, before boot_final
 * kills everything and unmounts. A writer that dies then with records
 * still queued is started again at once (twice at most, within the same
 * bound) for them; what is still queued after that is counted in initd's
 * log.
 */
#ifndef INITD_LOGWRITER_H
#define INITD_LOGWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "units/unit.h"

struct loop;
struct logwriter;

#define LOGWRITER_DATA_MAX   (16u * 1024)   /* stamped text in one record */
#define LOGWRITER_QUEUE_MAX  (256u * 1024)  /* bytes PID 1 holds for it */
#define LOGWRITER_CLOSE_USEC (3 * USEC_PER_SEC)

/* ---- the wire: one SOCK_SEQPACKET message per record --------------------- */

#define LOGWRITER_MAGIC 0x4c4f4731u          /* "LOG1" */

struct logwriter_hdr {
	uint32_t magic;
	uint32_t path_len;       /* 2..UNIT_LOG_PATH_MAX bytes follow, no NUL */
	uint64_t max_size;       /* UNIT_LOG_SIZE_MIN..UNIT_LOG_SIZE_MAX */
	uint32_t keep;           /* 0..UNIT_LOG_KEEP_MAX */
	uint32_t data_len;       /* 0..LOGWRITER_DATA_MAX bytes after the path */
	uint64_t dropped;        /* lines PID 1 dropped for this file before;
	                          * nonzero, the text starts a line (PID 1
	                          * dropped the rest of one it cut itself) */
	uint32_t flags;          /* LOGWRITER_POSTMORTEM, or 0 */
	uint32_t unused;         /* 0 */
};

/* The record is a post-mortem of the unit whose log file the path names:
 * it goes to the file beside it (unit_postmortem_path), with the same
 * rotation, but none is made beside a character device (a serial line: a
 * regular file in /dev, shared by the units sharing the line), nor beside
 * a file in /dev itself, where the writer makes nothing (a device not
 * there yet). What the file is decides, when the writer looks, not where
 * its path lies. */
#define LOGWRITER_POSTMORTEM 1u

#define LOGWRITER_RECORD_MAX \
	(sizeof(struct logwriter_hdr) + UNIT_LOG_PATH_MAX + LOGWRITER_DATA_MAX)

/* Where a unit's lines go. */
struct logwriter_target {
	char path[UNIT_LOG_PATH_MAX + 1];
	uint64_t max_size;
	unsigned keep;
	bool postmortem;         /* beside path, not into it (LOGWRITER_POSTMORTEM) */
};

/* The unit's file (its own log.file, else initd.conf's log.directory/
 * NAME.log) with its rotation; false when it has none. */
bool logwriter_target_of(const struct unit *u, const struct initd_conf *conf,
			 struct logwriter_target *ret);

/* ---- stamping (PID 1) ------------------------------------------------------ */

/* Copy in[0..n) to out (at most max bytes), the stamp (logtime.h) and a
 * space before every line start; *mid_line says whether the text before
 * in ended without a newline, and is updated. Returns bytes written and
 * sets *ret_used to the input bytes consumed (less than n when out is
 * full: call again with the rest). max must hold a stamp and one byte. */
size_t logwriter_stamp(const char *stamp, const char *in, size_t n, bool *mid_line, char *out,
		       size_t max, size_t *ret_used);

/* ---- PID 1 ---------------------------------------------------------------- */

/* An idle writer: its process starts with the first record. 0 or -ENOMEM. */
int logwriter_new(struct loop *l, struct logwriter **ret);
/* Kill the process if any (SIGKILL) and free; accepts NULL. */
void logwriter_free(struct logwriter *w);

/* Queue data for t, after a marker for `dropped` lines when nonzero.
 * 0, or -ENOBUFS when the queue is full (nothing was queued: the caller
 * keeps counting), -ESHUTDOWN once closing, -ENOMEM. */
int logwriter_send(struct logwriter *w, const struct logwriter_target *t, const char *data,
		   size_t n, uint64_t dropped);

/* One unit's lines on their way to its file, across the records the
 * queue refused (logwriter_feed). Zeroed: nothing refused. */
struct logwriter_feed {
	uint64_t dropped;        /* lines refused, not yet said with a record */
	bool cut;                /* a refused record ended mid-line: the rest of
	                          * that line is dropped too, up to its newline */
};

/* Send stamped text (logwriter_stamp's) for t through feed. What the
 * queue refuses is counted and said with the next record it takes (the
 * marker); a line counts once, when its end is dropped. A record refused
 * mid-line takes the rest of its line with it: the records after it are
 * sent from the next line on, so that no piece of a line lands in the
 * file after the marker without its stamp. */
void logwriter_feed(struct logwriter *w, struct logwriter_feed *feed,
		    const struct logwriter_target *t, const char *p, size_t n);

/* Flush the queue, end the stream, wait for the writer to exit (at most
 * bound_usec), then call done(data) from the loop — at once when no writer
 * ever ran. Later sends are refused. */
void logwriter_close(struct logwriter *w, uint64_t bound_usec, void (*done)(void *data),
		     void *data);

/* For status and tests: lines refused so far, and the writer's pid (0). */
uint64_t logwriter_refused(const struct logwriter *w);
int logwriter_pid(const struct logwriter *w);

/* ---- the writer process -------------------------------------------------- */

/* initd-loader's main(): is this the writer's command line ("--log-writer")? */
bool logwriter_requested(int argc, char **argv);
/* The writer itself, its socket on fd 3. Never returns. */
_Noreturn void logwriter_main(void);

#endif
