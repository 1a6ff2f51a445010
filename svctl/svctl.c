/* svctl.c — the command-line client of initd's control socket.
 *
 *   svctl [--socket PATH] [--json] [--timeout SEC] COMMAND [ARGS]
 *
 * The global options may also stand among ARGS (up to "--"), as with
 * systemctl: svctl status web --json.
 * One connection, one request (logs -f: one request, a stream of replies).
 * The command table below is the whole command set; client.c talks to the
 * socket, output.c formats what comes back. Exit codes: client.h.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/logtime.h"
#include "common/proto.h"
#include "common/util.h"
#include "svctl/analyze.h"
#include "svctl/cgstat.h"
#include "svctl/client.h"
#include "units/unit.h"
#include "svctl/output.h"

#ifndef INITD_VERSION
#define INITD_VERSION "unknown"
#endif

#define SVCTL_TIMEOUT_DEFAULT (30 * USEC_PER_SEC)
#define REQUEST_LIMIT (PROTO_HDR_SIZE + PROTO_REQUEST_MAX)

struct svctl {
	const char *socket;
	bool json;
	uint64_t timeout_usec;
};

struct command {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(struct svctl *s, const struct command *cmd, int argc, char **argv);
	uint16_t type;            /* for the simple request commands */
	int min_args, max_args;   /* operands after the command; -1 = any */
};

static const struct command commands[];
static int operands_check(const struct command *cmd, int *argc, char ***argv);

/* ---- requests ------------------------------------------------------------- */

static int connect_or_fail(struct svctl *s, struct client *c)
{
	return client_connect(c, s->socket, s->timeout_usec);
}

/* Begin a request carrying each operand as a NAME; the caller may add
 * attributes, then ends it (proto_msg_end). */
static void request_begin(struct proto_buf *b, uint16_t type, int argc, char **argv)
{
	proto_buf_init(b, REQUEST_LIMIT);
	proto_msg_begin(b, type);
	for (int i = 0; i < argc; i++)
		proto_put_str(b, PROTO_ATTR_NAME, argv[i]);
}

/* Build a request carrying each operand as a NAME. */
static void request_names(struct proto_buf *b, uint16_t type, int argc, char **argv)
{
	request_begin(b, type, argc, argv);
	proto_msg_end(b);
}

/* Send b, wait for the reply; on success *ret holds it. */
static int call(struct svctl *s, struct proto_buf *b, struct reply *ret)
{
	struct client c;
	int r;

	r = connect_or_fail(s, &c);
	if (r == SVCTL_EXIT_OK)
		r = client_call(&c, b, ret);
	client_close(&c);
	proto_buf_free(b);
	return r;
}

/* MESSAGE attributes of an OK reply (notes, reload diagnostics) to stdout. */
static void print_messages(const struct reply *rep)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *msg;

	proto_iter_init(&it, rep->payload, rep->hdr.len);
	while (proto_iter_next(&it, &a) > 0)
		if (a.type == PROTO_ATTR_MESSAGE && proto_get_str(&a, &msg) == 0) {
			print_clean_n(stdout, msg, strlen(msg), "\n\t");
			putchar('\n');
		}
}

static int finish_output(int r)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "svctl: cannot write output: %s\n", strerror(errno));
		return r ? r : SVCTL_EXIT_FAILED;
	}
	return r;
}

/* Send b (consumed); an OK means done, its messages go to stdout. */
static int call_done(struct svctl *s, struct proto_buf *b)
{
	struct reply rep;
	int r;

	r = call(s, b, &rep);
	if (r)
		return r;
	if (!s->json)
		print_messages(&rep);
	reply_free(&rep);
	return finish_output(SVCTL_EXIT_OK);
}

/* What a reply's printer returned, said and made an exit code. */
static int print_result(const struct command *cmd, int r)
{
	if (r < 0)
		return reply_print_failed(cmd->name, r);
	return finish_output(SVCTL_EXIT_OK);
}

/* Ask for cmd->type with the NAME operands and print the reply with
 * print, which fails on a malformed one. */
static int call_print(struct svctl *s, const struct command *cmd, int argc, char **argv,
		      int (*print)(FILE *f, const void *payload, size_t len, bool json))
{
	struct proto_buf b;
	struct reply rep;
	int r;

	request_names(&b, cmd->type, argc, argv);
	r = call(s, &b, &rep);
	if (r)
		return r;
	r = print(stdout, rep.payload, rep.hdr.len, s->json);
	reply_free(&rep);
	return print_result(cmd, r);
}

/* ---- commands ------------------------------------------------------------- */

/* The names a status reply lists as unknown (UNKNOWN), each said on
 * stderr as initd's refusal of one would be; how many. */
static size_t status_say_unknown(const struct reply *rep)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *name;
	size_t n = 0;

	proto_iter_init(&it, rep->payload, rep->hdr.len);
	while (proto_iter_next(&it, &a) > 0) {
		if (a.type != PROTO_ATTR_UNKNOWN || proto_get_str(&a, &name) < 0)
			continue;
		fputs("svctl: unit ", stderr);
		print_clean(stderr, name);
		fputs(" not found\n", stderr);
		n++;
	}
	return n;
}

static int status_show(struct svctl *s, int argc, char **argv, bool list)
{
	struct proto_buf b;
	struct reply rep;
	struct unit_status *units = NULL;
	size_t n = 0;
	int r;

	/* Names initd has not do not void the request (as systemctl): the
	 * known units are shown, the others said on stderr, exit 3. An older
	 * initd skips UNKNOWN_LISTED and refuses the request whole. */
	request_begin(&b, PROTO_REQ_STATUS, argc, argv);
	if (argc > 0)
		proto_put_flag(&b, PROTO_ATTR_UNKNOWN_LISTED);
	proto_msg_end(&b);
	r = call(s, &b, &rep);
	if (r)
		return r;
	r = status_parse(rep.payload, rep.hdr.len, &units, &n);
	if (r < 0) {
		reply_free(&rep);
		return reply_print_failed("status", r);
	}
	/* only unknown names: nothing on stdout, as initd's refusal was */
	if (argc > 0 && n == 0)
		goto done;
	/* Every unit's, or several named: the memory and CPU columns are
	 * svctl's to read (the list shows none but in JSON), below the root
	 * the reply names (one named unit's come with it, and no root). Where
	 * it cannot (another mount namespace), they read "-". */
	if (!list || s->json)
		(void)cgstat_fill(rep.payload, rep.hdr.len, units, n, CGSTAT_STATUS);
	if (s->json)
		status_print_json(stdout, units, n);
	else if (list)
		status_print_list(stdout, units, n, output_colour(stdout));
	else {
		status_print_system(stdout, rep.payload, rep.hdr.len);
		status_print_table(stdout, units, n, output_colour(stdout));
	}
	if (!s->json && !list && argc == 1 && n == 1)
		status_print_detail(stdout, &units[0]);
done:
	free(units);
	r = finish_output(SVCTL_EXIT_OK);
	if (status_say_unknown(&rep) > 0 && r == SVCTL_EXIT_OK)
		r = SVCTL_EXIT_NOT_FOUND;
	reply_free(&rep);
	return r;
}

static int cmd_status(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	return status_show(s, argc, argv, false);
}

static int cmd_list(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	return status_show(s, 0, NULL, true);
}

static int cmd_tree(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	return call_print(s, cmd, argc, argv, tree_print);
}

/* show NAME: the unit as initd parsed it, then its runtime state. */
static int cmd_show(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	return call_print(s, cmd, argc, argv, show_print);
}

/* show-system: initd's own state (the hardware watchdog). */
static int cmd_show_system(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	return call_print(s, cmd, argc, argv, system_print);
}

/* metrics: every unit's numbers in the Prometheus text format (to root in
 * a passed fd: no reply's bound). */
static int cmd_metrics(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	struct proto_buf b;
	struct reply rep;
	int r;

	request_names(&b, cmd->type, argc, argv);
	r = call(s, &b, &rep);
	if (r)
		return r;
	r = metrics_print(stdout, rep.payload, rep.hdr.len, rep.fd);
	reply_free(&rep);
	return print_result(cmd, r);
}

/* reload, wait, poweroff, reboot, halt: NAME operands (if any), an OK
 * means done. */
static int cmd_simple(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	struct proto_buf b;

	request_names(&b, cmd->type, argc, argv);
	return call_done(s, &b);
}


/* Take the flag `flag` out of the operands, anywhere before "--". */
static bool flag_take(const char *flag, int *argc, char **argv)
{
	bool seen = false;
	int k = 0;

	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[k++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], flag))
			seen = true;
		else
			argv[k++] = argv[i];
	}
	*argc = k;
	return seen;
}

/* start, stop, restart: as cmd_simple (initd answers once the units are
 * ready, or failed, or stopped, saying which failed and why), unless
 * --no-wait, anywhere before "--", asks it to answer at once. */
static int cmd_lifecycle(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	struct proto_buf b;
	bool no_wait = flag_take("--no-wait", &argc, argv);
	int r;

	r = operands_check(cmd, &argc, &argv);
	if (r)
		return r;
	request_begin(&b, cmd->type, argc, argv);
	if (no_wait)
		proto_put_flag(&b, PROTO_ATTR_NO_WAIT);
	proto_msg_end(&b);
	return call_done(s, &b);
}

/* "TERM", "sigterm", "SIGTERM", "15", "RTMIN+2": what a unit's
 * stop.signal takes (parse_signal), in any case. 0 if not a signal. */
static int signal_parse(const char *s)
{
	char up[32];
	char *end;
	long n;
	int sig;
	size_t i;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		return errno || *end || n < 1 || n > SIGRTMAX ? 0 : (int)n;
	}
	for (i = 0; s[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	if (s[i])
		return 0;
	up[i] = '\0';
	return parse_signal(up, &sig) == 0 ? sig : 0;
}

/* kill [--main] NAME [SIGNAL]: every process of the unit, or with --main
 * its main process alone (initd decides how, svctl(8)). */
static int cmd_kill(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	struct proto_buf b;
	struct reply rep;
	bool main_only = flag_take("--main", &argc, argv);
	int sig = SIGTERM, r;

	r = operands_check(cmd, &argc, &argv);
	if (r)
		return r;
	if (argc > 1) {
		sig = signal_parse(argv[1]);
		if (!sig) {
			fprintf(stderr, "svctl: kill: unknown signal \"%s\" (try TERM, KILL, HUP, 9)\n",
				argv[1]);
			return SVCTL_EXIT_USAGE;
		}
	}
	request_begin(&b, PROTO_REQ_KILL, 1, argv);
	proto_put_u32(&b, PROTO_ATTR_SIGNAL, (uint32_t)sig);
	if (main_only)
		proto_put_flag(&b, PROTO_ATTR_MAIN_ONLY);
	proto_msg_end(&b);
	r = call(s, &b, &rep);
	if (r)
		return r;
	reply_free(&rep);
	return SVCTL_EXIT_OK;
}

/* postmortem NAME [-n N]: the unit's records of unexpected exits, newest
 * first; -n (anywhere before "--") the last N only. */
static int count_take(int *argc, char **argv, uint32_t *ret)
{
	char *end;
	long v;
	int k = 0;

	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[k++] = argv[i++];
			break;
		}
		/* -n N, -nN, --count N, --count=N (as getopt takes logs' -n and
		 * --lines; a unit name never starts with '-') */
		const char *arg = !strncmp(argv[i], "--count=", 8) ? argv[i] + 8 :
				  !strncmp(argv[i], "-n", 2) && argv[i][2] ? argv[i] + 2 : NULL;

		if (!arg && strcmp(argv[i], "-n") && strcmp(argv[i], "--count")) {
			argv[k++] = argv[i];
			continue;
		}
		if (!arg)
			arg = ++i < *argc ? argv[i] : "";
		errno = 0;
		v = strtol(arg, &end, 10);
		if (!*arg || v < 1 || errno || *end || v > UINT32_MAX) {
			fprintf(stderr, "svctl: postmortem: -n wants a number of records\n");
			return SVCTL_EXIT_USAGE;
		}
		*ret = (uint32_t)v;
	}
	*argc = k;
	return 0;
}

static int cmd_postmortem(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	struct proto_buf b;
	struct reply rep;
	uint32_t count = 0;
	int r = count_take(&argc, argv, &count);

	if (!r)
		r = operands_check(cmd, &argc, &argv);
	if (r)
		return r;
	request_begin(&b, PROTO_REQ_POSTMORTEM, 1, argv);
	if (count)
		proto_put_u32(&b, PROTO_ATTR_COUNT, count);
	proto_msg_end(&b);
	r = call(s, &b, &rep);
	if (r)
		return r;
	r = postmortem_print(stdout, argv[0], rep.payload, rep.hdr.len, s->json);
	reply_free(&rep);
	if (r < 0)
		return reply_print_failed("postmortem", r);
	return finish_output(SVCTL_EXIT_OK);
}

/* analyze [--svg]: the boot's times (header, blame, critical chain), as
 * JSON with -j, or the boot chart as SVG. */
static int cmd_analyze(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	bool svg = flag_take("--svg", &argc, argv);
	struct analyze a;
	struct proto_buf b;
	struct reply rep;
	int r = operands_check(cmd, &argc, &argv);

	if (r)
		return r;
	if (svg && s->json) {
		fprintf(stderr, "svctl: analyze: --svg and --json do not go together\n");
		return SVCTL_EXIT_USAGE;
	}
	request_names(&b, cmd->type, 0, NULL);
	r = call(s, &b, &rep);
	if (r)
		return r;
	r = analyze_parse(rep.payload, rep.hdr.len, &a);
	if (r < 0) {
		reply_free(&rep);
		return reply_print_failed("analyze", r);
	}
	if (svg || s->json)   /* the text shows neither */
		analyze_read_cgroups(&a, rep.payload, rep.hdr.len);
	if (svg)
		analyze_print_svg(stdout, &a);
	else if (s->json)
		analyze_print_json(stdout, &a);
	else
		analyze_print(stdout, &a);
	analyze_free(&a);
	reply_free(&rep);
	return finish_output(SVCTL_EXIT_OK);
}

/* --raw: each line as the service wrote it, without the stamp initd put
 * before it. initd cuts its replies (and the attributes in them) at any
 * byte, so a line's start is held back until it holds a whole stamp (or
 * ends): only then is it known whether to drop one. */
struct raw_lines {
	bool mid_line;                     /* not at a line's start */
	size_t held;
	char head[LOGTIME_LEN + 1];        /* a line's start, not yet written */
};

/* The held start, written with or without its stamp; mid_line after it
 * unless it ended the line. */
static void raw_release(struct raw_lines *rl)
{
	uint64_t t;
	size_t skip = 0;

	if (rl->held == sizeof(rl->head) && rl->head[LOGTIME_LEN] == ' ' &&
	    logtime_parse_stamp(rl->head, rl->held, &t) == 0)
		skip = sizeof(rl->head);
	fwrite(rl->head + skip, 1, rl->held - skip, stdout);
	rl->mid_line = rl->head[rl->held - 1] != '\n';
	rl->held = 0;
}

static void logs_write_raw(const char *p, size_t n, struct raw_lines *rl)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) + 1 : n;

		if (rl->mid_line) {
			fwrite(p, 1, len, stdout);
			rl->mid_line = nl == NULL;
		} else {
			size_t room = sizeof(rl->head) - rl->held;

			len = len < room ? len : room;
			memcpy(rl->head + rl->held, p, len);
			rl->held += len;
			if (rl->held == sizeof(rl->head) || rl->head[rl->held - 1] == '\n')
				raw_release(rl);
		}
		p += len;
		n -= len;
	}
}

/* DATA attributes of one LOGS reply to stdout: with --raw as the service
 * wrote them, else cleaned as the tables are (a service must not drive
 * the operator's terminal: ESC, CR, C1 and bytes that are not UTF-8 show
 * as '?'), keeping newlines and tabs. */
static void logs_write(const struct reply *rep, bool raw, struct raw_lines *rl,
		       struct clean_stream *cs, char *last)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;

	proto_iter_init(&it, rep->payload, rep->hdr.len);
	while (proto_iter_next(&it, &a) > 0) {
		if (a.type != PROTO_ATTR_DATA || !a.len)
			continue;
		*last = ((const char *)a.data)[a.len - 1];
		if (raw)
			logs_write_raw((const char *)a.data, a.len, rl);
		else
			clean_stream_write(stdout, cs, (const char *)a.data, a.len, "\n\t");
	}
}

static int logs_stream(struct svctl *s, struct proto_buf *b, bool follow, bool raw)
{
	struct client c;
	struct reply rep;
	struct raw_lines rl = { 0 };
	struct clean_stream cs = { .n = 0 };
	bool eof, first = true;
	char last = '\n';   /* the last byte of output: a line not ended yet? */
	int r;

	r = connect_or_fail(s, &c);
	if (r == SVCTL_EXIT_OK)
		r = client_send(&c, b);
	proto_buf_free(b);
	while (r == SVCTL_EXIT_OK) {
		/* Only the first reply is timed: a follower waits for ever. */
		r = client_recv(&c, first ? s->timeout_usec : 0, &rep, &eof);
		if (r)
			break;
		if (eof) {
			if (first) {
				fprintf(stderr, "svctl: initd closed the connection without replying\n");
				r = SVCTL_EXIT_PROTOCOL;
			} else {
				/* initd ends a stream it means to end with an error
				 * reply: a close is initd gone (it stopped, or
				 * dropped this client), no success. */
				fprintf(stderr, "svctl: logs: initd closed the connection: the log "
					"stream ended (initd stopped, or dropped this client)\n");
				r = SVCTL_EXIT_UNREACHABLE;
			}
			break;
		}
		r = reply_check(&rep);
		if (r == SVCTL_EXIT_OK)
			logs_write(&rep, raw, &rl, &cs, &last);
		reply_free(&rep);
		r = finish_output(r);
		first = false;
		if (!follow)
			break;
	}
	if (rl.held || cs.n) {
		if (rl.held)
			raw_release(&rl);   /* a start too short for a stamp */
		clean_stream_end(stdout, &cs, "\n\t");
		r = finish_output(r);
	}
	/* The newest line may be one the service has not ended yet (a prompt,
	 * a progress bar): ended here, so that the caller's prompt does not
	 * follow it on its line and `while read` gets it. Not with -f, where
	 * its rest follows, nor --raw, byte for byte. */
	if (!follow && !raw && last != '\n' && r == SVCTL_EXIT_OK) {
		putchar('\n');
		r = finish_output(r);
	}
	client_close(&c);
	return r;
}

/* --since/--until ARG (logtime.h) into *ret; false after saying why. */
static bool logs_time(const char *opt, const char *arg, uint64_t *ret)
{
	struct logtime_clock now;

	logtime_clock_now(&now);
	if (logtime_parse_arg(arg, &now, parse_duration, ret) == 0)
		return true;
	fprintf(stderr, "svctl: logs: --%s wants \"-5min\", \"2026-12-01 10:00:00\" (UTC), "
		"seconds of uptime or \"now\", not \"%s\"\n", opt, arg);
	return false;
}

static int cmd_logs(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lines", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool follow = false, since = false, until = false, raw = false;
	uint64_t since_usec = 0, until_usec = 0;
	long lines = -1;
	struct proto_buf b;
	char *end;
	int o;

	/* getopt wants a program name in argv[0]: the command's own slot. GNU
	 * getopt permutes, so options may come before or after NAME. */
	argv--;
	argc++;
	optind = 0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "n:fhrS:U:", opts, NULL)) != -1) {
		switch (o) {
		case 'n':
			errno = 0;
			lines = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || lines < 0 || lines > UINT32_MAX) {
				fprintf(stderr, "svctl: logs: -n wants a number of lines, not \"%s\"\n",
					optarg);
				return SVCTL_EXIT_USAGE;
			}
			break;
		case 'f':
			follow = true;
			break;
		case 'r':
			raw = true;
			break;
		case 'S':
		case 'U':
			if (!logs_time(o == 'S' ? "since" : "until", optarg,
				       o == 'S' ? &since_usec : &until_usec))
				return SVCTL_EXIT_USAGE;
			*(o == 'S' ? &since : &until) = true;
			break;
		case 'h':
			return -1;    /* main prints the command's help */
		default:
			if (optopt)
				fprintf(stderr, "svctl: logs: bad option -%c\n", optopt);
			else
				fprintf(stderr, "svctl: logs: bad option \"%s\"\n", argv[optind - 1]);
			return SVCTL_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !argv[optind][0]) {
		fprintf(stderr, "svctl: usage: svctl logs %s\n", cmd->args);
		return SVCTL_EXIT_USAGE;
	}
	if (follow && until) {
		fprintf(stderr, "svctl: logs: --follow and --until do not go together\n");
		return SVCTL_EXIT_USAGE;
	}
	request_begin(&b, PROTO_REQ_LOGS, 1, &argv[optind]);
	/* A time range asks for all its lines unless -n says otherwise. */
	if (lines < 0 && (since || until))
		lines = UINT32_MAX;
	if (lines >= 0)
		proto_put_u32(&b, PROTO_ATTR_LINES, (uint32_t)lines);
	if (since)
		proto_put_u64(&b, PROTO_ATTR_LOG_SINCE, since_usec);
	if (until)
		proto_put_u64(&b, PROTO_ATTR_LOG_UNTIL, until_usec);
	if (follow)
		proto_put_flag(&b, PROTO_ATTR_FOLLOW);
	proto_msg_end(&b);
	return logs_stream(s, &b, follow, raw);
}

static int cmd_version(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	printf("svctl %s (control protocol %d)\n", INITD_VERSION, PROTO_VERSION);
	return finish_output(SVCTL_EXIT_OK);
}

static void usage(FILE *f);
static void command_help(FILE *f, const struct command *cmd);
static const struct command *command_find(const char *name);

static int cmd_help(struct svctl *s, const struct command *cmd, int argc, char **argv)
{
	const struct command *c;

	if (argc == 0) {
		usage(stdout);
		return finish_output(SVCTL_EXIT_OK);
	}
	c = command_find(argv[0]);
	if (!c) {
		fprintf(stderr, "svctl: unknown command \"%s\" (see svctl help)\n", argv[0]);
		return SVCTL_EXIT_USAGE;
	}
	command_help(stdout, c);
	return finish_output(SVCTL_EXIT_OK);
}

static const struct command commands[] = {
	{ "status",   "[NAME...]", "show units: state, main PID, restarts, time in state, last exit",
	  cmd_status, PROTO_REQ_STATUS, 0, -1 },
	{ "list",     "", "list units with their state and description",
	  cmd_list, PROTO_REQ_STATUS, 0, 0 },
	{ "tree",     "", "show the cgroup tree: slices, services, limits, controllers",
	  cmd_tree, PROTO_REQ_TREE, 0, 0 },
	{ "show",     "NAME", "show a unit as parsed (every key) and its runtime state",
	  cmd_show, PROTO_REQ_SHOW, 1, 1 },
	{ "show-system", "", "show initd's own state: the hardware watchdog, its last pet",
	  cmd_show_system, PROTO_REQ_SYSTEM, 0, 0 },
	{ "metrics",  "", "print every unit's state, restarts, memory, CPU, pids, pressure (Prometheus text)",
	  cmd_metrics, PROTO_REQ_METRICS, 0, 0 },
	{ "start",    "[--no-wait] NAME...", "start units (and what they require)",
	  cmd_lifecycle, PROTO_REQ_START, 1, -1 },
	{ "stop",     "[--no-wait] NAME...", "stop units (and what requires them)",
	  cmd_lifecycle, PROTO_REQ_STOP, 1, -1 },
	{ "restart",  "[--no-wait] NAME...", "stop, then start units",
	  cmd_lifecycle, PROTO_REQ_RESTART, 1, -1 },
	{ "reload",   "", "re-read the unit files and apply the difference",
	  cmd_simple, PROTO_REQ_RELOAD, 0, 0 },
	{ "wait",     "", "wait until no unit is starting or stopping",
	  cmd_simple, PROTO_REQ_WAIT, 0, 0 },
	{ "kill",     "[--main] NAME [SIGNAL]", "send SIGNAL (default TERM) to every process of a unit",
	  cmd_kill, PROTO_REQ_KILL, 1, 2 },
	{ "logs",     "NAME [-n LINES] [-f] [-r] [--since T] [--until T]",
	  "show a unit's recent output, each line stamped; -f follows it",
	  cmd_logs, PROTO_REQ_LOGS, 0, -1 },
	{ "postmortem", "NAME [-n N]", "show the records of a unit's unexpected exits, newest first",
	  cmd_postmortem, PROTO_REQ_POSTMORTEM, 1, 1 },
	{ "analyze",  "[--svg]", "show where boot time went: blame, critical chain; --svg: a chart",
	  cmd_analyze, PROTO_REQ_ANALYZE, 0, 0 },
	{ "freeze",   "NAME", "freeze a running unit's processes (cgroup.freeze)",
	  cmd_simple, PROTO_REQ_FREEZE, 1, 1 },
	{ "thaw",     "NAME", "thaw a frozen unit",
	  cmd_simple, PROTO_REQ_THAW, 1, 1 },
	{ "poweroff", "", "stop every unit and power the machine off",
	  cmd_simple, PROTO_REQ_POWEROFF, 0, 0 },
	{ "reboot",   "", "stop every unit and reboot",
	  cmd_simple, PROTO_REQ_REBOOT, 0, 0 },
	{ "halt",     "", "stop every unit and halt",
	  cmd_simple, PROTO_REQ_HALT, 0, 0 },
	{ "version",  "", "print svctl's version",
	  cmd_version, 0, 0, 0 },
	{ "help",     "[COMMAND]", "this help, or a command's",
	  cmd_help, 0, 0, 1 },
	{ NULL },
};

static const char exit_codes_text[] =
	"Exit status:\n"
	"  0  success\n"
	"  1  the operation failed (e.g. a unit failed to start), or svctl did\n"
	"     (out of memory, cannot write its output)\n"
	"  2  usage error\n"
	"  3  no such unit\n"
	"  4  permission denied\n"
	"  5  cannot reach initd (no socket, connection refused, timed out)\n"
	"  6  protocol error (malformed or unexpected reply)\n";

/* The commands column of --help: a usage this wide or less, then its summary. */
#define HELP_COLUMN 28

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: svctl [OPTIONS] COMMAND [ARGS]\n"
		"Control initd, the service supervisor.\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   control socket (default $INITD_CONTROL, else %s)\n"
		"  -j, --json          print status, list, tree, show, show-system, postmortem\n"
		"                      and analyze as JSON\n"
		"  -t, --timeout SEC   give up waiting for initd after SEC seconds\n"
		"                      (default 30; 0 waits for ever)\n"
		"  -h, --help          this help\n"
		"  -V, --version       print the version\n"
		"-s, -j and -t may also follow the command (svctl status web --json);\n"
		"after \"--\" every word is a name.\n"
		"\n"
		"Commands:\n", SVCTL_SOCKET_DEFAULT);
	for (const struct command *c = commands; c->name; c++) {
		char head[128];
		int n = snprintf(head, sizeof(head), "%s %s", c->name, c->args);

		/* A usage wider than its column gets a line of its own. */
		if (n > HELP_COLUMN)
			fprintf(f, "  %s\n  %-*s %s\n", head, HELP_COLUMN, "", c->summary);
		else
			fprintf(f, "  %-*s %s\n", HELP_COLUMN, head, c->summary);
	}
	fprintf(f, "\n%s\nSee svctl(8).\n", exit_codes_text);
}

static void command_help(FILE *f, const struct command *cmd)
{
	fprintf(f, "Usage: svctl [OPTIONS] %s%s%s\n%c%s.\n", cmd->name,
		cmd->args[0] ? " " : "", cmd->args,
		cmd->summary[0] >= 'a' && cmd->summary[0] <= 'z' ? cmd->summary[0] - 32
		: cmd->summary[0], cmd->summary + 1);
	if (!strcmp(cmd->name, "logs"))
		fputs("\n  -n, --lines N   the last N lines (default 10)\n"
		      "  -f, --follow    keep printing new output until interrupted\n"
		      "  -S, --since T   lines stamped at T or later (all of them, without -n)\n"
		      "  -U, --until T   lines stamped at T or earlier\n"
		      "  -r, --raw       each line as the service wrote it (bytes as written), no stamp\n"
		      "T: \"-5min\" (that long ago), \"2026-12-01 10:00:00\" (UTC, \".mmm\" and\n"
		      "a 'T' allowed), \"123.5\" (seconds of uptime) or \"now\".\n", f);
	if (cmd->run == cmd_lifecycle)
		fputs("\nWaits until each unit is ready (stopped, for stop) or has failed; a\n"
		      "failure is reported as \"NAME failed: REASON\" with exit status 1; a\n"
		      "unit whose start failed into its restart backoff as \"NAME failed:\n"
		      "REASON, restarting in N\".\n"
		      "  --no-wait       return at once, once initd has begun the action\n", f);
	if (!strcmp(cmd->name, "start") || !strcmp(cmd->name, "restart"))
		fputs("A name NAME@INST not loaded yet is made from units/NAME@.unit (an\n"
		      "instance at run time, as a reload makes units) and started.\n", f);
	if (cmd->run == cmd_postmortem)
		fputs("\n  -n, --count N   the last N records only\n"
		      "Each: its time, reason and restarts before it, the cgroup's counters\n"
		      "(memory.peak, cpu usage_usec, oom_kills, pids.peak) and its last 20\n"
		      "lines of output.\n", f);
	if (cmd->run == cmd_analyze)
		fputs("\nTimes are initd's stamps of each unit's latest start (monotonic, the\n"
		      "kernel started at 0; \"@T\" is after initd's exec). Blame: spawn to\n"
		      "ready, slowest first. Critical chain: from the unit ready last, back\n"
		      "through the dependency (requires, after) it waited for.\n"
		      "  --svg           a boot chart as SVG on stdout\n"
		      "  -j, --json      the times, blame and chain as JSON\n", f);
	if (cmd->run == cmd_kill)
		fputs("\nEvery process of the unit: its cgroup (sub-cgroups included), in a PID\n"
		      "namespace every process of the namespace but its reaper, without\n"
		      "cgroups its process group.\n"
		      "  --main          the main process alone\n", f);
	fprintf(f, "\n%s", exit_codes_text);
}

static const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* ---- main ----------------------------------------------------------------- */

static int timeout_parse(const char *arg, uint64_t *ret)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(sec) || sec < 0 || sec > 1e9)
		return -EINVAL;
	*ret = (uint64_t)(sec * (double)USEC_PER_SEC);
	if (sec > 0 && *ret == 0)
		*ret = 1;
	return 0;
}

/* Operands of a plain command: "--help" anywhere asks for help, other
 * options are errors, "--" ends options. Returns -1 for help. */
static int operands_check(const struct command *cmd, int *argc, char ***argv)
{
	int n = *argc;
	char **v = *argv;

	for (int i = 0; i < n; i++) {
		if (!strcmp(v[i], "--help") || !strcmp(v[i], "-h"))
			return -1;
		if (!strcmp(v[i], "--")) {
			/* Drop the "--" itself; later operands are taken as is. */
			memmove(v + i, v + i + 1, (size_t)(n - i - 1) * sizeof(*v));
			n--;
			break;
		}
		if (v[i][0] == '-' && v[i][1]) {
			fprintf(stderr, "svctl: %s: unknown option \"%s\"\n", cmd->name, v[i]);
			return SVCTL_EXIT_USAGE;
		}
	}
	if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args)) {
		fprintf(stderr, "svctl: usage: svctl %s%s%s\n", cmd->name,
			cmd->args[0] ? " " : "", cmd->args);
		return SVCTL_EXIT_USAGE;
	}
	/* initd refuses more too, but as a failure: the limit is the
	 * command line's to keep (svctl(8)). */
	if (n > PROTO_NAMES_MAX) {
		fprintf(stderr, "svctl: %s: more than %d unit names in one request\n",
			cmd->name, PROTO_NAMES_MAX);
		return SVCTL_EXIT_USAGE;
	}
	for (int i = 0; i < n; i++)
		if (!v[i][0]) {
			fprintf(stderr, "svctl: %s: empty name\n", cmd->name);
			return SVCTL_EXIT_USAGE;
		}
	*argc = n;
	return 0;
}

/* The global options, wherever they stand. */
static const struct option global_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

/* Apply the global option o (-s, -j, -t) with its value arg. Returns 0 or
 * SVCTL_EXIT_USAGE. */
static int global_apply(struct svctl *s, int o, const char *arg)
{
	switch (o) {
	case 's':
		s->socket = arg;
		return 0;
	case 'j':
		s->json = true;
		return 0;
	case 't':
		if (timeout_parse(arg, &s->timeout_usec) < 0) {
			fprintf(stderr, "svctl: --timeout wants seconds (e.g. 5, 0.5, 0 for none), "
				"not \"%s\"\n", arg);
			return SVCTL_EXIT_USAGE;
		}
		return 0;
	default:
		return SVCTL_EXIT_USAGE;
	}
}

/* If v[0] is a global option taking a value (-s, --socket, -t,
 * --timeout; not -h/-V, which after a command ask for the command's help
 * or are the command's own), its letter; *ret_arg is its value, inline
 * ("--socket=P", "-sP") or NULL when it is the next word. 0 otherwise. */
static int global_match(const char *w, const char **ret_arg)
{
	*ret_arg = NULL;
	if (w[0] != '-' || !w[1])
		return 0;
	if (w[1] != '-') {
		if (!strchr("sjt", w[1]))
			return 0;
		if (w[1] == 'j')
			return w[2] ? 0 : 'j';
		*ret_arg = w[2] ? w + 2 : NULL;
		return w[1];
	}
	for (const struct option *o = global_opts; o->name; o++) {
		size_t n = strlen(o->name);

		if (o->val == 'h' || o->val == 'V' || strncmp(w + 2, o->name, n))
			continue;
		if (!w[2 + n])
			return o->val;
		if (w[2 + n] == '=' && o->has_arg == required_argument) {
			*ret_arg = w + 3 + n;
			return o->val;
		}
	}
	return 0;
}

/* svctl status --json, svctl status web -j: take the global options out
 * of a command's operands (up to "--", which stays for the command: after
 * it a unit may be named "-j"), as systemctl does. */
static int globals_extract(struct svctl *s, int *argc, char **argv)
{
	int n = *argc, k = 0, o, r;
	const char *arg;

	for (int i = 0; i < n; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < n)
				argv[k++] = argv[i++];
			break;
		}
		o = global_match(argv[i], &arg);
		if (!o) {
			argv[k++] = argv[i];
			continue;
		}
		if (o != 'j' && !arg) {
			if (i + 1 >= n) {
				fprintf(stderr, "svctl: %s wants a value\n", argv[i]);
				return SVCTL_EXIT_USAGE;
			}
			arg = argv[++i];
		}
		r = global_apply(s, o, arg);
		if (r)
			return r;
	}
	*argc = k;
	argv[k] = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	struct svctl s = { .timeout_usec = SVCTL_TIMEOUT_DEFAULT };
	const struct command *cmd;
	int o, r;

	s.socket = getenv("INITD_CONTROL");
	if (!s.socket || !*s.socket)
		s.socket = SVCTL_SOCKET_DEFAULT;
	/* "+": stop at the command; its operands may hold more (below). */
	while ((o = getopt_long(argc, argv, "+s:jt:hV", global_opts, NULL)) != -1) {
		switch (o) {
		case 'h':
			usage(stdout);
			return finish_output(SVCTL_EXIT_OK);
		case 'V':
			return cmd_version(&s, NULL, 0, NULL);
		case '?':
			fputs("Try 'svctl --help'.\n", stderr);
			return SVCTL_EXIT_USAGE;
		default:
			r = global_apply(&s, o, optarg);
			if (r)
				return r;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return SVCTL_EXIT_USAGE;
	}
	cmd = command_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "svctl: unknown command \"%s\" (see svctl --help)\n", argv[optind]);
		return SVCTL_EXIT_USAGE;
	}
	argc -= optind + 1;
	argv += optind + 1;
	r = globals_extract(&s, &argc, argv);
	if (r)
		return r;
	if (cmd->run != cmd_logs && cmd->run != cmd_lifecycle && cmd->run != cmd_kill &&
	    cmd->run != cmd_postmortem && cmd->run != cmd_analyze) {
		r = operands_check(cmd, &argc, &argv);
		if (r)
			goto done;
	}
	r = cmd->run(&s, cmd, argc, argv);
done:
	if (r == -1) {
		command_help(stdout, cmd);
		return finish_output(SVCTL_EXIT_OK);
	}
	return r;
}
