/* main.c — initd's entry: options, `--check`, and the daemon (PID 1 or not).
 *
 * As PID 1 it mounts the early filesystems, opens the console, and never
 * returns from main: a shutdown ends in reboot(2), an unrecoverable error in
 * the crash action. Not as PID 1 (a container, another init, the host tests)
 * it supervises the same way and returns once its services have stopped
 * after SIGTERM or SIGINT.
 *
 * Only wiring lives here: what each module does is in its header, how
 * they fit in doc/DESIGN.md. A reload is decided here (reload_loaded) and
 * answered by the commands (commands_reload_*).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/boot.h"
#include "initd/bootphase.h"
#include "initd/child.h"
#include "initd/boot_guard.h"
#include "initd/caps.h"
#include "initd/metrics.h"
#include "initd/cmdline.h"
#include "initd/commands.h"
#include "initd/control.h"
#include "initd/loader.h"
#include "initd/log.h"
#include "initd/logwriter.h"
#include "initd/net.h"
#include "initd/loop.h"
#include "initd/manager.h"
#include "initd/mounts.h"
#include "initd/notify.h"
#include "initd/rescue.h"
#include "initd/spawn.h"
#include "initd/watchdog.h"

#define DEFAULT_CONFIG  "/etc/initd"
#define DEFAULT_CONTROL "/run/initd/control"

struct options {
	const char *config_dir;
	char units_dir[4096];
	char conf_path[4096];
	char model_path[4096];  /* DIR/initd.model: the compiled model */
	const char *control_path;
	char notify_path[4096];
	const char *cgroup_root;
	bool check;
	bool compile;           /* --compile: write model_path and exit */
	bool dump;              /* --check --dump: also print the parsed model */
	const char *root;       /* --check --root DIR: also check against DIR's
	                         * files (units/imagecheck.c) */
	bool no_cgroup;
	bool no_mounts;
	bool verbose;
	const char *cmdline;    /* --cmdline FILE: read instead of /proc/cmdline
	                         * (a container's PID 1, a test) */
	char **words;           /* PID 1: the arguments past the options (the
	                         * kernel's or a container runtime's), in argv */
	int n_words;
};

struct initd {
	struct options opt;
	bool pid1;
	struct loop *loop;
	struct loop_watch signals;
	struct control_server *control;
	struct notify_server *notify;
	struct commands cmds;
	struct manager *manager;
	struct watchdog *watchdog;    /* the hardware watchdog (initd.conf) */
	struct metrics *metrics;      /* svctl metrics and metrics_file (issue 17) */
	struct logwriter *logwriter;  /* persistent logs; NULL if it could not be made */
	bool final_started;           /* shutdown_done ran: the writer is closing */
	enum shutdown_how final_how;
	struct loader *reloading;     /* a reload's loader in flight */
	bool reload_again;            /* SIGHUP while one was in flight */
	struct mounts *mounts;        /* initd.conf's mounts, from the first load
	                               * on (PID 1 only); NULL when none */
	struct unit_set *mounting;    /* the first set, held while its mounts
	                               * are being mounted */
	enum crash_action crash;
	uint64_t sync_timeout_usec;   /* initd.conf's bound on the final sync */
	enum shutdown_how shutdown;   /* requested before the units were loaded */

	/* issue 14: the kernel command line, the boot, escalation, rescue */
	struct boot_cmdline cmdline;
	bool boot_begun;              /* the first unit set is in: the guard ran or runs */
	struct boot_guard *guard;     /* its check, or its reset, in flight */
	char *guard_file;             /* initd.conf's boot_guard.file, copied */
	int guard_prior;              /* failed boots in a row before this one */
	bool guard_counted;           /* the file holds guard_prior + 1 (this boot
	                               * counted as failed until it settles) */
	bool failure_shutdown;        /* the shutdown is a failure action's */
	struct rescue_shell rescue;
	enum failure_action boot_failure;   /* a required mount's, run in place
	                                     * of starting the units */
	char boot_failure_why[512];
	char guard_blind[280];        /* why the guard cannot count (its file's
	                               * mount is missing): a reboot action
	                               * goes to rescue instead */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: initd [OPTIONS]\n"
		"       initd --check [--dump] [--root ROOT] [DIR]\n"
		"       initd --compile [--root ROOT] [DIR]\n"
		"\n"
		"A declarative PID-1 supervisor. Reads DIR/initd.conf and DIR/units/*.unit.\n"
		"\n"
		"  -c, --config DIR     configuration directory (default " DEFAULT_CONFIG ")\n"
		"      --units DIR      unit directory (default DIR/units)\n"
		"      --control PATH   control socket (default " DEFAULT_CONTROL ")\n"
		"      --notify PATH    readiness socket (default: beside the control socket)\n"
		"      --cgroup-root P  cgroup2 mount (default /sys/fs/cgroup)\n"
		"      --no-cgroup      supervise by pid alone, never touch cgroups\n"
		"      --no-mounts      as PID 1, skip the early mounts and unmounts\n"
		"      --cmdline FILE   read initd.* parameters from FILE (without it, only\n"
		"                       PID 1 of the kernel's first PID namespace reads\n"
		"                       them, from /proc/cmdline)\n"
		"  -n, --check [DIR]    validate the configuration and exit:\n"
		"                       0 OK, 1 errors found, 2 usage, 3 unreadable\n"
		"      --dump           with --check: print initd.conf and every unit as\n"
		"                       parsed, defaults included\n"
		"      --root ROOT      with --check: also check against the tree ROOT\n"
		"                       (an image): executables, users and groups,\n"
		"                       kernel modules, files the units need\n"
		"      --compile [DIR]  write DIR/" UNIT_MODEL_FILE ": the units as the boot\n"
		"                       loads them, which initd then decodes at boot\n"
		"                       instead of parsing, while the files match;\n"
		"                       with --root ROOT, DIR lies in the image ROOT\n"
		"  -v, --verbose        log every state change\n"
		"  -h, --help           this help\n"
		"  -V, --version        print the version\n");
}

/* As PID 1, argv carries whatever the kernel did not understand on its
 * command line: unknown options are ignored there, never fatal, and the
 * words past them are kept for read_cmdline (initd.* words: a container's). */
static int parse_options(int argc, char **argv, bool pid1, struct options *o)
{
	enum { OPT_UNITS = 256, OPT_CONTROL, OPT_NOTIFY, OPT_CGROUP_ROOT, OPT_NO_CGROUP, OPT_NO_MOUNTS,
	       OPT_DUMP, OPT_CMDLINE, OPT_ROOT, OPT_COMPILE };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "units", required_argument, NULL, OPT_UNITS },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ "notify", required_argument, NULL, OPT_NOTIFY },
		{ "cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT },
		{ "no-cgroup", no_argument, NULL, OPT_NO_CGROUP },
		{ "no-mounts", no_argument, NULL, OPT_NO_MOUNTS },
		{ "check", no_argument, NULL, 'n' },
		{ "dump", no_argument, NULL, OPT_DUMP },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "compile", no_argument, NULL, OPT_COMPILE },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *units = NULL, *notify = NULL;
	int c;

	*o = (struct options){ .config_dir = DEFAULT_CONFIG, .control_path = DEFAULT_CONTROL };
	opterr = !pid1;
	while ((c = getopt_long(argc, argv, "c:nvhV", longopts, NULL)) >= 0) {
		switch (c) {
		case 'c': o->config_dir = optarg; break;
		case OPT_UNITS: units = optarg; break;
		case OPT_CONTROL: o->control_path = optarg; break;
		case OPT_NOTIFY: notify = optarg; break;
		case OPT_CGROUP_ROOT: o->cgroup_root = optarg; break;
		case OPT_NO_CGROUP: o->no_cgroup = true; break;
		case OPT_NO_MOUNTS: o->no_mounts = true; break;
		case 'n': if (!pid1) o->check = true; break;
		case OPT_DUMP: if (!pid1) o->check = o->dump = true; break;
		case OPT_ROOT: if (!pid1) o->root = optarg; break;
		case OPT_COMPILE: if (!pid1) o->compile = true; break;
		case OPT_CMDLINE: o->cmdline = optarg; break;   /* PID 1 too: a container's */
		case 'v': o->verbose = true; break;
		case 'h': if (!pid1) { usage(stdout); return 1; } break;
		case 'V': if (!pid1) { printf("initd %s\n", INITD_VERSION); return 1; } break;
		default: if (!pid1) { usage(stderr); return -EINVAL; } break;
		}
	}
	if (o->check && o->compile) {
		fprintf(stderr, "initd: --check and --compile are two runs\n");
		return -EINVAL;
	}
	if ((o->check || o->compile) && optind < argc)
		o->config_dir = argv[optind++];
	if (o->root && !o->check && !o->compile) {
		fprintf(stderr, "initd: --root needs --check or --compile\n");
		return -EINVAL;
	}
	if (!pid1 && optind < argc) {
		fprintf(stderr, "initd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (pid1) {   /* getopt moved them past the options; read_cmdline looks */
		o->words = argv + optind;
		o->n_words = argc - optind;
	}
	snprintf(o->units_dir, sizeof(o->units_dir), "%s", units ? units : "");
	if (!units)
		snprintf(o->units_dir, sizeof(o->units_dir), "%s/units", o->config_dir);
	snprintf(o->conf_path, sizeof(o->conf_path), "%s/initd.conf", o->config_dir);
	snprintf(o->model_path, sizeof(o->model_path), "%s/" UNIT_MODEL_FILE, o->config_dir);
	if (notify) {
		snprintf(o->notify_path, sizeof(o->notify_path), "%s", notify);
	} else {
		/* Beside the control socket: tests move both with --control. */
		const char *slash = strrchr(o->control_path, '/');
		int dir = slash ? (int)(slash - o->control_path) : 0;

		snprintf(o->notify_path, sizeof(o->notify_path), "%.*s%snotify", dir,
			 o->control_path, slash ? "/" : "");
	}
	return 0;
}

/* ---- --check --------------------------------------------------------------- */

/* path made absolute with its "." and ".." segments, repeated and trailing
 * slashes gone, by text alone (a symlink stays one: the boot names the
 * path, not what it resolves to). 0, or -ENAMETOOLONG, or -errno. */
static int path_normal(const char *path, char *out, size_t size)
{
	char tmp[4096];
	size_t n = 0;

	if (path[0] != '/') {
		if (!getcwd(tmp, sizeof(tmp)))
			return -errno;
		if (strlen(tmp) + 1 + strlen(path) + 1 > sizeof(tmp))
			return -ENAMETOOLONG;
		strcat(strcat(tmp, "/"), path);
	} else if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	for (char *save = NULL, *seg = strtok_r(tmp, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		size_t len = strlen(seg);

		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			while (n > 0 && out[--n] != '/')
				;
			continue;
		}
		if (n + 1 + len + 1 > size)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, seg, len);
		n += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/* --compile: DIR and ROOT ("/" without --root) as text the loader can
 * cut ROOT off from, with every path inside ROOT: units/compiled.c hashes
 * the paths as the boot names them, so they must be written the way the
 * boot writes them (absolute, no "//", no trailing "/"). */
static int compile_paths(struct options *o, char *root, size_t size)
{
	char dir[4096 - 16], units[4096];   /* room for "/initd.model" */
	size_t n;
	int r;

	if ((r = path_normal(o->root ? o->root : "/", root, size)) < 0 ||
	    (r = path_normal(o->config_dir, dir, sizeof(dir))) < 0 ||
	    (r = path_normal(o->units_dir, units, sizeof(units))) < 0)
		return r;
	n = strcmp(root, "/") == 0 ? 0 : strlen(root);
	if (strncmp(dir, root, n) != 0 || dir[n] != '/' ||
	    strncmp(units, root, n) != 0 || units[n] != '/')
		return -EXDEV;
	snprintf(o->conf_path, sizeof(o->conf_path), "%s/initd.conf", dir);
	snprintf(o->model_path, sizeof(o->model_path), "%s/" UNIT_MODEL_FILE, dir);
	snprintf(o->units_dir, sizeof(o->units_dir), "%s", units);
	return 0;
}

/* initd-loader does both (the parser is not in this binary): it prints
 * what `initd --check` always printed and exits with its codes. */
static int run_check(struct options *o)
{
	char root[4096];
	char *check[] = { (char *)LOADER_CHECK_ARG, (char *)o->conf_path, (char *)o->units_dir,
			  NULL, NULL, NULL, NULL };
	char *compile[] = { (char *)LOADER_COMPILE_ARG, (char *)o->conf_path,
			    (char *)o->units_dir, (char *)o->model_path,
			    o->root ? (char *)"--root" : NULL, (char *)o->root, NULL };
	size_t n = 3;
	int r;

	if (o->compile && (r = compile_paths(o, root, sizeof(root))) < 0) {
		fprintf(stderr, "initd: --compile %s: %s\n", o->config_dir,
			r == -EXDEV ? "not inside --root" : strerror(-r));
		return CHECK_USAGE;
	}
	if (o->compile && o->root)
		compile[5] = root;
	if (o->dump)
		check[n++] = (char *)"--dump";
	if (o->root) {
		check[n++] = (char *)"--root";
		check[n++] = (char *)o->root;
	}
	r = loader_exec_tool(o->compile ? compile : check);

	fprintf(stderr, "initd: cannot run %s beside initd (/proc/self/exe, else argv[0], else "
		"PATH): %s\n", LOADER_EXE_NAME, strerror(-r));
	return CHECK_UNREADABLE;
}

/* ---- the daemon ------------------------------------------------------------ */

static void rescue_reached(struct initd *d);

static bool manager_shutting_down_or_null(struct initd *d)
{
	return d->manager && manager_shutting_down(d->manager);
}

/* A failure action ends this boot: it follows the failed boots before it,
 * even when it had settled meanwhile (a unit that fails late, or slowly
 * hits its start limit), so the file gets guard_prior + 1 unless it holds
 * that already; a check still running counts it itself (a unit started by
 * svctl before it answered). Blocking is acceptable here: every service
 * has stopped, and sync() and the unmounts that follow block on the same
 * disk. */
static void guard_count_failure(struct initd *d)
{
	int r;

	if (!d->guard_file || !d->failure_shutdown || d->guard_counted)
		return;
	r = boot_guard_fail(d->guard, d->guard_file, d->guard_prior + 1);
	d->guard = NULL;
	if (r < 0)
		log_error("boot_guard %s: cannot count this failed boot: %s", d->guard_file,
			  boot_guard_strerror(r));
	else if (r > 0)
		log_notice("boot_guard %s: its check counted this failed boot", d->guard_file);
	else
		log_notice("boot_guard %s: %d failed boot(s) in a row", d->guard_file,
			   d->guard_prior + 1);
}

/* The log writer has fsynced and exited (or its bound passed). */
static void shutdown_final(void *data)
{
	struct initd *d = data;

	rescue_shell_done(&d->rescue);
	/* Off the loop from here: a watchdog still petted (its shutdown
	 * timeout refused) gets its pets by hand; the guard's writes are
	 * bounded by 10 s each. */
	watchdog_pet_final(d->watchdog);
	guard_count_failure(d);
	watchdog_pet_final(d->watchdog);
	/* No failure: a reset still writing gets to finish before
	 * boot_final kills every process (a good boot keeps its 0). */
	if (boot_guard_end(d->guard) < 0)
		log_error("boot_guard %s: the count's reset did not finish in 10 s", d->guard_file);
	d->guard = NULL;
	if (d->pid1) {
		mounts_cancel(d->mounts);   /* a shutdown while still mounting */
		struct boot_end end = { d->final_how, d->crash, !d->opt.no_mounts,
					d->sync_timeout_usec };

		boot_final(&end, d->mounts, d->watchdog);
	}
	log_info("all services stopped, exiting");
	loop_quit(d->loop);
}

/* Every service stopped: what their pipes still hold goes to the rings
 * and the log writer, whose stream then ends; boot_final (which kills
 * everything and unmounts) waits for it, LOGWRITER_CLOSE_USEC at most. */
static void shutdown_done(struct manager *m, enum shutdown_how how, void *data)
{
	struct initd *d = data;

	if (how == SHUTDOWN_RESCUE) {
		rescue_reached(d);
		return;
	}
	if (d->final_started)
		return;
	d->final_started = true;
	d->final_how = how;
	if (d->manager)
		manager_output_flush(d->manager);
	if (!d->logwriter) {
		shutdown_final(d);
		return;
	}
	logwriter_close(d->logwriter, LOGWRITER_CLOSE_USEC, shutdown_final, d);
}

/* From the loop, so that the OK to `svctl poweroff` is sent first. */
static void shutdown_unsupervised(struct loop *l, void *data)
{
	struct initd *d = data;

	shutdown_done(NULL, d->shutdown, d);
}

static const char *shutdown_how_name(enum shutdown_how how)
{
	return how == SHUTDOWN_REBOOT ? "reboot" : how == SHUTDOWN_HALT ? "halt" :
	       how == SHUTDOWN_EXIT ? "exit" : how == SHUTDOWN_RESCUE ? "rescue" : "poweroff";
}

/* 0, or -EALREADY when the final phase of another kind has begun: the
 * services are stopped, boot_final will do what was asked first (until
 * then the last request wins, as the manager's stop order allows). */
static int request_shutdown(struct initd *d, enum shutdown_how how)
{
	enum shutdown_how now;

	if (!d->pid1)
		how = SHUTDOWN_EXIT;
	if (d->final_started || (!d->manager && d->cmds.shutting_down)) {
		now = d->final_started ? d->final_how : d->shutdown;
		if (now == how)
			return 0;
		log_warn("%s asked while the end for %s is under way: ignored",
			 shutdown_how_name(how), shutdown_how_name(now));
		return -EALREADY;
	}
	/* From now on a hang of the shutdown ends in a reset. */
	watchdog_shutdown(d->watchdog);
	d->cmds.shutting_down = true;
	if (!d->manager) {
		/* Nothing supervised (still loading, or no unit set could be
		 * loaded): go straight to the end. */
		d->shutdown = how;
		if (loop_defer(d->loop, shutdown_unsupervised, d) < 0)
			shutdown_done(NULL, how, d);
		return 0;
	}
	now = manager_shutdown_how(d->manager);
	if (now == how || (now != SHUTDOWN_NONE && how == SHUTDOWN_RESCUE))
		return 0;   /* asked again (a second SIGTERM): under way */
	if (now == SHUTDOWN_NONE)
		log_notice("stopping services for %s", shutdown_how_name(how));
	else
		log_notice("the stop under way is now for %s, no longer for %s",
			   shutdown_how_name(how), shutdown_how_name(now));
	manager_shutdown(d->manager, how, shutdown_done, d);
	return 0;
}

static int commands_shutdown(struct commands *cmds, enum shutdown_how how)
{
	return request_shutdown(cmds->data, how);
}

/* ---- rescue (rescue.h; doc/DESIGN.md, Rescue) ------------------------------ */

/* The console is initd's own: PID 1 of the machine, which opened it at
 * boot. PID 1 of a namespace (--no-mounts: a container, the host tests)
 * shares its parent's: no shell goes there. */
static bool console_ours(const struct initd *d)
{
	return d->pid1 && !d->opt.no_mounts;
}

/* Every unit has stopped (or none had started): the manager takes requests
 * again, and as PID 1 a root shell comes up on the console. */
static void rescue_reached(struct initd *d)
{
	if (d->manager)
		manager_rescue_reached(d->manager);
	if (!console_ours(d)) {
		log_notice("rescue: every unit is stopped; no shell (the console is not initd's: "
			   "not PID 1, or --no-mounts): svctl still answers");
		return;
	}
	log_notice("rescue: every unit is stopped; svctl start, reboot and poweroff work");
	rescue_shell_start(&d->rescue);
}

/* No unit set is in: the first load failed, or its manager did. svctl
 * status and reload say why; as PID 1 a root shell comes up on the console
 * too, or an appliance whose only way in is a unit (sshd) could not be
 * repaired. Not rescue: the units of a load that works then start as the
 * boot's would have, and the shell is not started again after it exits. */
static void _printf_(2, 3) no_units(struct initd *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->cmds.no_units_why, sizeof(d->cmds.no_units_why), fmt, ap);
	va_end(ap);
	log_error("%s; no services will run", d->cmds.no_units_why);
	if (!console_ours(d) || d->cmds.rescue_why[0] || d->cmds.shutting_down)
		return;   /* no console of ours; or the rescue's shell, or none */
	log_notice("no units: a shell on the console to repair them; svctl reload loads them");
	rescue_shell_start(&d->rescue);
}

/* Stop every unit in order, as a shutdown would, then stay in rescue. */
static void enter_rescue(struct initd *d, const char *why)
{
	if (d->cmds.rescue_why[0])
		return;   /* already there, or on the way */
	snprintf(d->cmds.rescue_why, sizeof(d->cmds.rescue_why), "%s", why);
	log_error("rescue: %s", why);
	if (d->manager && !manager_shutting_down(d->manager))
		manager_shutdown(d->manager, SHUTDOWN_RESCUE, shutdown_done, d);
	else if (!d->manager)
		rescue_reached(d);
}

/* The failure action (issue 14): a unit with on_failure or critical ended
 * failed, or a required mount failed. `why` says what, for the log. The
 * first action wins: a second failure while the first one's shutdown or
 * rescue is under way only logs. */
static void failure_action_run(struct initd *d, enum failure_action a, const char *why)
{
	bool busy = d->failure_shutdown || d->cmds.rescue_why[0] ||
		    manager_shutting_down_or_null(d);

	if (a == FAILURE_NONE || a >= FAILURE_ACTION_MAX || busy) {
		log_error("%s%s", why, busy && a != FAILURE_NONE ?
			  " (a failure action or shutdown is already under way)" : "");
		return;
	}
	if (a == FAILURE_REBOOT && d->guard_blind[0]) {
		/* With no count, nothing would ever end the loop the guard is
		 * there to end. */
		char text[sizeof(d->cmds.rescue_why)];

		log_error("%s: failure action reboot", why);
		snprintf(text, sizeof(text), "%.280s: rescue, not a reboot without end",
			 d->guard_blind);
		enter_rescue(d, text);
		return;
	}
	log_error("%s: failure action %s", why, failure_action_to_string(a));
	if (a == FAILURE_RESCUE) {
		enter_rescue(d, why);
		return;
	}
	d->failure_shutdown = true;
	request_shutdown(d, a == FAILURE_REBOOT ? SHUTDOWN_REBOOT : SHUTDOWN_POWEROFF);
}

static void unit_failed(void *ctx, const struct unit *u, enum failure_action a, const char *why)
{
	failure_action_run(ctx, a, why);
}

static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	spawn_reaped();   /* lo's child's block, if it waits on a copy of its pipe */
}

static void start_reload(struct initd *d);
static void reload_if_asked(struct initd *d);

static void signal_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct initd *d = data;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			if (d->manager)
				manager_reap(d->manager);
			else
				reap_orphans();
			break;
		case SIGTERM:
		case SIGPWR:
			request_shutdown(d, SHUTDOWN_POWEROFF);
			break;
		case SIGINT:   /* Ctrl-Alt-Del */
			request_shutdown(d, SHUTDOWN_REBOOT);
			break;
#ifdef INITD_FAULT_INJECTION
		case SIGUSR2:
			log_error("fault injection: SIGUSR2, faulting now");
			*(volatile int *)(uintptr_t)si.ssi_signo = 0;   /* SIGSEGV */
			break;
#endif
		case SIGHUP:
			if (d->cmds.shutting_down || manager_shutting_down_or_null(d))
				break;
			/* A reload in flight may have read the files before
			 * the edit this SIGHUP is for: another one after it.
			 * The first load (no manager yet) answers it, as it
			 * answers an svctl reload (boot_units_loaded). */
			if (d->reloading || d->mounting)
				d->reload_again = d->reload_again || d->manager;
			else
				start_reload(d);
			break;
		default:
			break;
		}
	}
}

static int setup_signals(struct initd *d)
{
	static const int handled[] = {
		SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPWR,
#ifdef INITD_FAULT_INJECTION
		SIGUSR2,
#endif
	};
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	for (size_t i = 0; i < ARRAY_SIZE(handled); i++)
		sigaddset(&mask, handled[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	/* Inherited ignored, the kernel would reap our children itself and
	 * their exit statuses would be lost. */
	signal(SIGCHLD, SIG_DFL);
	/* Every disposition is set now (the crash handlers came before):
	 * children reset only those (child.h). */
	child_signals_snapshot();
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A shutdown or a reload asked for by a signal ends a slice of
	 * spawns (manager_pass.c); a child's end does not: the next slice
	 * reaps it. */
	sigdelset(&mask, SIGCHLD);
	loop_set_urgent_signals(d->loop, &mask);
	d->signals = (struct loop_watch){ .fd = fd, .fn = signal_ready, .data = d };
	return loop_watch_add(d->loop, &d->signals, EPOLLIN);
}

/* As --check prints them: "FILE:LINE: message", "FILE: message" where no
 * line applies. */
static void log_diags(const struct unit_set *set)
{
	char text[1024];

	for (size_t i = 0; i < set->diags.n; i++) {
		unit_diag_format(&set->diags.v[i], text, sizeof(text));
		log_error("%s", text);
	}
	for (size_t i = 0; i < set->warnings.n; i++) {
		unit_diag_format(&set->warnings.v[i], text, sizeof(text));
		log_warn("%s", text);
	}
}

/* The control socket's group, in every mode: granted, changed, or (a reload
 * that drops control_group) taken back. */
static void apply_control_group(struct initd *d, const struct initd_conf *conf)
{
	gid_t gid;
	int r;

	if (!d->control)
		return;
	if (!conf->control_group) {
		control_server_set_group(d->control, (gid_t)-1, NULL);
	} else {
		r = spawn_lookup_group("/etc/group", conf->control_group, &gid);
		if (r >= 0)
			r = control_server_set_group(d->control, gid, conf->control_group);
		if (r < 0) {
			/* Not the former group's either: what the log says is so. */
			control_server_set_group(d->control, (gid_t)-1, NULL);
			log_error("control_group %s: %s; the control socket stays root-only",
				  conf->control_group, r == -ENOENT ? "no such group" : strerror(-r));
		}
	}
	commands_access_changed(&d->cmds);
}

/* Not PID 1, or with --no-mounts, initd leaves the machine as its maker
 * set it up: said at each load for what initd.conf asks of it there, as a
 * unit may count on it (a veth's bridge fails its start, "No such
 * device"). */
static void log_machine_conf_skipped(const struct initd *d, const struct initd_conf *conf)
{
	const struct { bool set; const char *name; } keys[] = {
		{ conf->modules && conf->modules[0], "modules" },
		{ conf->n_bridges > 0, "bridges" },
		{ conf->ip_forward, "ip_forward" },
		{ conf->sysctl && conf->sysctl[0], "sysctl" },
		{ conf->n_mounts > 0, "mounts" },
	};
	char names[64] = "";
	size_t len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].set && len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", keys[i].name);
	if (len)
		log_warn("initd.conf's %s not applied (%s: the machine is left as it is)", names,
			 d->pid1 ? "--no-mounts" : "not PID 1");
}

static void apply_conf(struct initd *d, const struct initd_conf *conf)
{
	/* initd.crash_action= on the kernel command line wins. */
	d->crash = d->cmdline.has_crash_action ? d->cmdline.crash_action : conf->crash_action;
	d->sync_timeout_usec = conf->sync_timeout_usec;
	apply_control_group(d, conf);
	if (d->pid1) {
		boot_set_crash_action(d->crash);
		if (conf->hostname && boot_set_hostname(conf->hostname) < 0)
			log_error("hostname %s: %s", conf->hostname, strerror(errno));
		if (!d->opt.no_mounts) {
			boot_load_modules(conf->modules);
			boot_phase_mark(BOOT_PHASE_MODULES);
			/* bridges and ip_forward: after veth/bridge load; on a
			 * reload, what the running text had and this one drops */
			net_boot(conf, d->manager ? &manager_set(d->manager)->conf : NULL);
			boot_apply_sysctl(conf->sysctl);   /* after the modules: theirs too */
		}
	}
	if (!d->pid1 || d->opt.no_mounts)
		log_machine_conf_skipped(d, conf);
	/* After the modules: its driver (i6300esb, ...) may be one of them. */
	watchdog_apply(d->watchdog, &conf->watchdog);
	if (d->metrics)
		metrics_configure(d->metrics, conf);
	boot_phase_mark(BOOT_PHASE_CONF);
}

/* ---- the boot: guard, mode, rescue (issue 14) ------------------------------- */

static void guard_reset_done(int r, void *data)
{
	struct initd *d = data;

	d->guard = NULL;
	if (r < 0)
		log_error("boot_guard %s: cannot reset the count: %s", d->guard_file,
			  boot_guard_strerror(r));
	else
		log_info("boot_guard %s: count reset", d->guard_file);
}

/* The check could not run or answer: no count of this boot is known, so
 * none is written in it (a killed check might still write late). The
 * guard is blind, as with its mount missing: a failure action's reboot
 * goes to rescue (a read-only, failing or hung data disk would otherwise
 * reboot the machine without end). */
static void guard_off(struct initd *d, const char *file, int r)
{
	snprintf(d->guard_blind, sizeof(d->guard_blind),
		 "boot_guard %.80s cannot count failed boots (%.150s)", file, boot_guard_strerror(r));
	log_error("boot_guard %s: %s; booting without the guard", file, boot_guard_strerror(r));
	free(d->guard_file);
	d->guard_file = NULL;
}

/* Once every unit settled: a boot with no failed unit that has a failure
 * action is a good boot, and resets the guard's count. */
static void boot_settled(struct manager *m, void *data)
{
	struct initd *d = data;
	int r;

	if (manager_shutting_down(m) || manager_in_rescue(m) || d->failure_shutdown)
		return;
	for (size_t i = 0; i < manager_count(m); i++) {
		struct service *s = manager_service_at(m, i);

		if (s->state == SERVICE_FAILED && unit_failure_action(s->unit) != FAILURE_NONE)
			return;
	}
	r = boot_guard_reset(d->loop, d->guard_file, guard_reset_done, d, &d->guard);
	if (r < 0) {
		log_error("boot_guard %s: cannot reset the count: %s", d->guard_file,
			  boot_guard_strerror(r));
		return;
	}
	log_info("boot_guard %s: the boot settled, resetting the count", d->guard_file);
	d->guard_counted = false;
}

/* Every manager pass: a state changed (start, exit, restart, OOM). */
static void pass_done(void *ctx)
{
	struct initd *d = ctx;

	commands_pass(&d->cmds);
	metrics_changed(d->metrics);
}

/* The manager's own stamp, which svctl analyze shows: this waiter is
 * called after it was taken (its own clock read 18 ms later in a VM). */
static void metrics_settled(struct manager *m, void *data)
{
	uint64_t first_spawn, settled;

	manager_boot_times(m, &first_spawn, &settled);
	metrics_boot_settled(data, settled ? settled : now_usec());
}

static void boot_start_units(struct initd *d)
{
	if (!d->manager || d->shutdown != SHUTDOWN_NONE)
		return;   /* a shutdown asked for while mounting goes on */
	if (d->boot_failure != FAILURE_NONE) {
		/* A required mount failed: its action instead of the units,
		 * once the guard counted this boot (a disk that never comes
		 * back must not reboot the machine forever). */
		failure_action_run(d, d->boot_failure, d->boot_failure_why);
		return;
	}
	boot_phase_mark(BOOT_PHASE_BOOT);
	manager_boot(d->manager);
	if (d->metrics && manager_wait_settled(d->manager, metrics_settled, d->metrics) < 0)
		log_error("metrics: cannot wait for the boot to settle");
	if (d->guard_counted && manager_wait_settled(d->manager, boot_settled, d) < 0)
		log_error("boot_guard %s: cannot wait for the boot to settle", d->guard_file);
}

static void guard_answered(int count, void *data)
{
	struct initd *d = data;
	const struct unit_set *set = d->manager ? manager_set(d->manager) : NULL;
	unsigned max = set ? set->conf.boot_guard_max : 3;
	char why[sizeof(d->cmds.rescue_why)];

	d->guard = NULL;
	if (count < 0) {
		guard_off(d, d->guard_file, count);
	} else if ((unsigned)count >= max) {
		snprintf(why, sizeof(why), "boot_guard: %d failed boots in a row (%s); remove "
			 "that file to boot normally", count, d->guard_file);
		d->guard_prior = count;
		enter_rescue(d, why);
		return;
	} else {
		d->guard_prior = count;
		d->guard_counted = true;
		if (count > 0)
			log_notice("boot_guard %s: %d failed boot(s) before this one", d->guard_file,
				   count);
	}
	boot_start_units(d);
}

static bool mount_check(void *ctx, const char *where, char *why, size_t size);

/* True when file lies below one of conf's mounts that is not mounted: the
 * guard would count in the empty mount point, on whatever holds that (the
 * initramfs, which a reboot forgets; or an outer mount, which no boot with
 * the mount reads). The file is normalised (parse_guard_file). */
static bool guard_mount_missing(struct initd *d, const struct initd_conf *conf,
				const char *file, char *why, size_t size)
{
	const char *where = NULL;

	for (size_t i = 0; i < conf->n_mounts; i++) {
		const char *w = conf->mounts[i].where;
		size_t n = strlen(w);

		if (strncmp(file, w, n) == 0 && file[n] == '/' && (!where || n > strlen(where)))
			where = w;   /* the innermost mount holds it */
	}
	return where && !mount_check(d, where, why, size);
}

/* The first unit set is in: rescue if the command line says so, else the
 * guard (a child reads and counts, the units wait for its answer), else
 * the units of the mode start. */
static void boot_begin(struct initd *d, const struct initd_conf *conf)
{
	char why[160];
	int r;

	if (d->boot_begun)
		return;
	d->boot_begun = true;
	if (d->cmds.rescue_why[0]) {
		/* initd.rescue: the shell came up before the units were in;
		 * they stay loaded and stopped. */
		manager_rescue_reached(d->manager);
		return;
	}
	if (conf->boot_guard_file &&
	    guard_mount_missing(d, conf, conf->boot_guard_file, why, sizeof(why))) {
		snprintf(d->guard_blind, sizeof(d->guard_blind),
			 "boot_guard %.80s cannot count failed boots (%.150s)",
			 conf->boot_guard_file, why);
		log_error("%s", d->guard_blind);
	} else if (conf->boot_guard_file) {
		d->guard_file = strdup(conf->boot_guard_file);
		r = d->guard_file ? boot_guard_begin(d->loop, d->guard_file, conf->boot_guard_max,
						     guard_answered, d, &d->guard) : -ENOMEM;
		if (r >= 0)
			return;
		guard_off(d, conf->boot_guard_file, r);
	}
	boot_start_units(d);
}

static void drain_notify(void *ctx)
{
	struct initd *d = ctx;

	notify_server_drain(d->notify);
}

static void units_start(struct initd *d, struct unit_set *set);

static void units_loaded(struct unit_set *set, int err, const char *why, void *data)
{
	struct initd *d = data;

	if (!set) {
		no_units(d, "%s: %s", why, strerror(-err));
		return;
	}
	log_diags(set);
	apply_conf(d, &set->conf);
	units_start(d, set);
}

/* requires_mounts: what the boot's mounts made of `where`. Not PID 1, or
 * with --no-mounts, initd mounts nothing and checks nothing. As PID 1 a
 * boot with no mounts declared (a reload adds one: mounts change at the
 * next boot), declared but never mounted (initd.rescue, or the helper
 * could not start): only what the operator mounted since counts. */
static bool mount_check(void *ctx, const char *where, char *why, size_t size)
{
	struct initd *d = ctx;

	return !d->pid1 || d->opt.no_mounts || mounts_is_mounted(d->mounts, where, why, size);
}

/* A manager for set (its owner from here on), its units started. */
static void units_start(struct initd *d, struct unit_set *set)
{
	struct manager_options mo = {
		.use_cgroup = !d->opt.no_cgroup,
		.cgroup_root = d->opt.cgroup_root,
		.notify_socket = d->notify ? d->opt.notify_path : NULL,
		.own_leaf = d->pid1,
		.mode = d->cmdline.mode[0] ? d->cmdline.mode : NULL,
	};
	int r;

	r = manager_new(d->loop, &mo, &d->manager);
	if (r >= 0) {
		manager_set_mount_hook(d->manager, mount_check, d);
		manager_set_logwriter(d->manager, d->logwriter);
		boot_phase_mark(BOOT_PHASE_CGROUP);
		r = manager_apply(d->manager, set);
		boot_phase_mark(BOOT_PHASE_APPLIED);
	}
	else
		unit_set_free(set);
	if (r < 0) {
		/* A half-built manager is no base for a reload: drop it (it
		 * started nothing) so that the next one loads from scratch. */
		no_units(d, "cannot start the services: %s", strerror(-r));
		manager_free(d->manager);
		d->manager = NULL;
		return;
	}
	d->cmds.no_units_why[0] = '\0';
	if (!d->cmds.rescue_why[0])
		rescue_shell_release(&d->rescue);   /* no_units's, if one came up */
	d->cmds.manager = d->manager;
	manager_set_output_hook(d->manager, commands_output, &d->cmds);
	manager_set_removed_hook(d->manager, commands_unit_removed, &d->cmds);
	manager_set_pass_hook(d->manager, pass_done, d);
	if (d->metrics)
		metrics_set_manager(d->metrics, d->manager);
	manager_set_drain_hook(d->manager, drain_notify, d);
	manager_set_failure_hook(d->manager, unit_failed, d);
	log_info("%zu units loaded", manager_count(d->manager));
	boot_begin(d, &manager_set(d->manager)->conf);
}

/* A shutdown asked while the first load (or its mounts) was under way
 * goes to its end without the units (request_shutdown's unsupervised
 * path, deferred to the loop): the answer that came in the same batch of
 * events starts nothing, mounts nothing, in the middle of the end. */
static bool first_load_too_late(struct initd *d, struct unit_set *set)
{
	if (!d->cmds.shutting_down)
		return false;
	log_notice("the units came after the %s was asked: none is started",
		   shutdown_how_name(d->shutdown));
	unit_set_free(set);
	commands_reload_failed(&d->cmds, ESHUTDOWN, "shutting down: the units are not started");
	return true;
}

/* The boot's mounts are done: start the units, or (a required mount
 * failed) run its failure action and start none, so that no service
 * writes into the empty directory under a missing mount. */
static void mounts_done(struct mounts *ms, const struct mount_status *failed, void *data)
{
	struct initd *d = data;
	struct unit_set *set = TAKE_PTR(d->mounting);
	size_t errors = set->diags.n;

	if (first_load_too_late(d, set))
		return;

	if (failed) {
		/* The units are loaded, not started: boot_start_units runs the
		 * action once the guard has counted this boot, svctl shows
		 * them, and in rescue the operator can start them by hand. */
		d->boot_failure = failed->on_failure;
		snprintf(d->boot_failure_why, sizeof(d->boot_failure_why),
			 "required mount %s failed: %.400s", failed->where, failed->why);
	}
	units_start(d, set);
	commands_reload_first_load(&d->cmds, errors);
}

/* PID 1's first load: the configuration applied (modules first), then
 * initd.conf's mounts, all before any unit starts. True when mounting
 * started (mounts_done takes it from there). */
static bool boot_mounts_start(struct initd *d, struct unit_set *set)
{
	size_t errors;
	int r;

	if (!d->pid1 || d->opt.no_mounts || d->mounts || !set->conf.n_mounts)
		return false;
	if (d->cmdline.rescue) {
		/* No fsck or mount behind the operator's back, on the disk the
		 * rescue shell may be there to repair. */
		log_notice("initd.rescue: initd.conf's mounts are left to the operator");
		return false;
	}
	log_diags(set);
	apply_conf(d, &set->conf);
	d->mounting = set;
	r = mounts_start(d->loop, &set->conf, mounts_done, d, &d->mounts);
	if (r == 0)
		return true;
	log_error("cannot mount initd.conf's mounts: %s; starting the units", strerror(-r));
	d->mounting = NULL;
	errors = set->diags.n;
	units_start(d, set);
	commands_reload_first_load(&d->cmds, errors);
	return true;
}

/* The first load, tracked like a reload's so that a SIGHUP or `svctl
 * reload` meanwhile waits for it (and is answered by it) instead of
 * loading, and starting everything, a second time. */
static void boot_units_loaded(struct unit_set *set, int err, const char *why, void *data)
{
	struct initd *d = data;
	size_t errors = set ? set->diags.n : 0;

	d->reloading = NULL;
	if (first_load_too_late(d, set))
		return;
	if (set && boot_mounts_start(d, set))
		return;   /* mounts_done goes on */
	units_loaded(set, err, why, data);
	commands_reload_first_load(&d->cmds, errors);
}

static void notify_received(void *ctx, pid_t sender, uid_t uid, const struct notify_msg *msg)
{
	struct initd *d = ctx;

	if (d->manager)
		manager_notify(d->manager, sender, uid, msg);
}

/* A SIGHUP that came during a reload: its own load now, unless one started
 * meanwhile (svctl's: start_reload cleared the flag). */
static void reload_if_asked(struct initd *d)
{
	if (!d->reload_again || d->reloading || d->mounting)
		return;
	d->reload_again = false;
	if (!d->cmds.shutting_down && !manager_shutting_down_or_null(d))
		start_reload(d);
}

/* A reload's units are in: apply them, or keep the running set; the
 * commands answer the clients that asked. */
static void reload_loaded(struct unit_set *set, int err, const char *why, void *data)
{
	struct initd *d = data;
	struct reload_summary sum = { 0 };
	int r;

	d->reloading = NULL;
	if (!d->manager) {
		/* Nothing runs yet (the first load failed): this is the first
		 * load, bad units and all, initd.conf's mounts first, as at boot. */
		boot_units_loaded(set, err, why, d);
	} else if (!set) {
		log_error("reload: %s: %s", why, strerror(-err));
		commands_reload_failed(&d->cmds, -err, "%s: %s", why, strerror(-err));
	} else if (set->diags.n) {
		log_diags(set);
		log_error("reload refused: %zu error(s), keeping the running configuration",
			  set->diags.n);
		commands_reload_refused(&d->cmds, set);
		unit_set_free(set);
	} else if (d->cmds.shutting_down || manager_shutting_down_or_null(d)) {
		/* Loaded while a shutdown (or rescue) began: applying it would
		 * start units in the middle of their stop. */
		unit_set_free(set);
		commands_reload_failed(&d->cmds, ESHUTDOWN, "shutting down: the reload is not applied");
	} else {
		apply_conf(d, &set->conf);
		r = manager_reload(d->manager, set, &sum);
		commands_reload_applied(&d->cmds, &sum, r < 0);
	}
	reload_if_asked(d);
}

static void start_reload(struct initd *d)
{
	char **names;
	int r;

	if (d->reloading || d->mounting)
		return;   /* the load in flight (or its mounts) answers this too */
	log_info("reloading the units");
	names = commands_instances_for_load(&d->cmds);
	r = loader_start(d->loop, d->opt.conf_path, d->opt.units_dir,
			 names ? names : d->cmds.instances, reload_loaded, d, &d->reloading);
	free(names);
	if (r >= 0) {
		d->reload_again = false;   /* this load reads after any SIGHUP so far */
		commands_load_started(&d->cmds);
		return;
	}
	log_error("reload: cannot start the unit loader (" LOADER_EXE_NAME "): %s", strerror(-r));
	commands_reload_failed(&d->cmds, -r, "cannot start the unit loader");
}

static void commands_reload(struct commands *cmds)
{
	start_reload(cmds->data);
}

static void cmdline_problem(void *ctx, const char *msg)
{
	log_warn("kernel command line: %s", msg);
}

static void argument_problem(void *ctx, const char *msg)
{
	log_warn("argument %s", msg);
}

/* initd.* from --cmdline FILE when given, else from /proc/cmdline as PID
 * 1 of the kernel's first PID namespace. Not otherwise: as PID 1 of a
 * container (or not PID 1) the kernel's command line is the host's. */
static const char *cmdline_path(const struct initd *d)
{
	if (d->opt.cmdline)
		return d->opt.cmdline;
	if (!d->pid1)
		return NULL;
	if (!boot_pid_ns_is_initial()) {
		log_info("PID 1 of a container (not the kernel's first PID namespace): "
			 "/proc/cmdline is the host's, no initd.* parameters read from it "
			 "(--cmdline FILE or initd.* arguments give them)");
		return NULL;
	}
	return "/proc/cmdline";
}

/* The initd.* words of PID 1's own argv are read as PID 1 of a container,
 * where a runtime passes them so (`docker run IMAGE /sbin/initd
 * initd.rescue`), as systemd reads its own. Not as PID 1 of the kernel's
 * first PID namespace: the kernel passes init a dotted word only from
 * after a "--" on its command line, and /proc/cmdline, read whole, holds
 * that word already: read twice, its problems would be said twice. */
static bool argv_words_read(const struct initd *d)
{
	return d->pid1 && d->opt.n_words > 0 && !boot_pid_ns_is_initial();
}

static void read_cmdline(struct initd *d)
{
	const char *path = cmdline_path(d);
	static char text[CMDLINE_MAX + 1];
	int r = path ? cmdline_read(path, text, sizeof(text)) : -ENOENT;

	if (path && r < 0)
		log_warn("%s: %s; no initd.* parameters", path,
			 r == -EBADF ? "not a regular file" : strerror(-r));
	if (r < 0)
		text[0] = '\0';
	cmdline_parse(text, &d->cmdline, cmdline_problem, d);
	/* after the file's: a later word wins, as on a command line */
	if (argv_words_read(d))
		cmdline_parse_words(d->opt.words, d->opt.n_words, &d->cmdline, argument_problem, d);
	if (d->cmdline.verbose)
		log_set_max_level(LOG_DEBUG);
	if (d->cmdline.has_crash_action)
		d->crash = d->cmdline.crash_action;
	d->cmds.mode = d->cmdline.mode[0] ? d->cmdline.mode : "default";
	if (d->cmdline.mode[0])
		log_info("boot mode %s (initd.mode)", d->cmdline.mode);
}

static void boot_pid1(struct initd *d)
{
	if (!d->opt.no_mounts) {
		boot_mount_early(!d->opt.no_cgroup);
		boot_open_console();
		boot_phase_mark(BOOT_PHASE_MOUNTS);
	}
	/* Ctrl-Alt-Del sends SIGINT to PID 1 instead of rebooting at once. */
	reboot(RB_DISABLE_CAD);
	if (setsid() < 0) {
		/* already a session leader */
	}
}

/* What initd's caller left it (a container runtime's or a shell's fds, its
 * inheritable and ambient capabilities) is none of its services' or
 * helpers': dropped before anything is opened or forked. Closed, not
 * marked CLOEXEC: a caller waiting for its pipe's end gets it. */
static void inherited_drop(void)
{
	int r = caps_drop_inheritable();

	if (syscall(SYS_close_range, 3U, ~0U, 0) < 0)
		log_warn("cannot close the fds initd inherited: %s", strerror(errno));
	if (r < 0)
		log_warn("cannot drop inherited capabilities: %s", strerror(-r));
}

static int run_daemon(struct initd *d)
{
	struct unit_set *compiled = NULL;
	int r, lr, nofile, lo = -1;

	inherited_drop();
	if (d->pid1)
		boot_pid1(d);
	else if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		/* Not PID 1: orphans of our services (and a forking service's
		 * MAINPID) come back to us instead of our parent. */
		log_warn("cannot become a child subreaper: %s", strerror(errno));
	nofile = boot_raise_nofile();
	log_open(d->pid1 && !d->opt.no_mounts);
	log_set_max_level(d->opt.verbose ? LOG_DEBUG : LOG_INFO);
	read_cmdline(d);
	if (nofile < 0)
		boot_nofile_refused(d->pid1, nofile);
	if (d->pid1)
		boot_install_crash_handlers(d->crash);
	log_info("initd %s starting%s", INITD_VERSION, d->pid1 ? " as PID 1" : "");
	boot_phase_mark(BOOT_PHASE_LOG);
	r = loop_new(&d->loop);
	if (r >= 0) {
		rescue_shell_init(&d->rescue, d->loop);
		log_attach(d->loop);
		r = setup_signals(d);
	}
	if (r >= 0)
		r = watchdog_new(d->loop, &d->watchdog);
	if (r < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		return r;
	}
	/* Every daemon expects 127.0.0.1: the machine's own lo is up before
	 * any unit starts (not with --no-mounts: then the network namespace
	 * is not ours to change). Its child first, after the signalfd (its
	 * SIGCHLD is read there): the kernel brings lo up on the other CPU
	 * while PID 1 reads the model and makes its sockets. */
	if (d->pid1 && !d->opt.no_mounts)
		lo = net_loopback_start();
	boot_phase_mark(BOOT_PHASE_LOOP_READY);
	/* The model compiled into the image (initd --compile), while its
	 * digest matches the files: no loader on the boot's path. Else the
	 * loader first (a fork that execs initd-loader, initd/loader.h): its
	 * parse runs on the other CPU while PID 1 sets up its sockets and
	 * the log writer, and waits for lo's child. Its answer is read in the
	 * loop, after all of them (issue 19). */
	lr = loader_read_compiled(d->opt.model_path, d->opt.conf_path, d->opt.units_dir, &compiled);
	if (lr < 0) {
		lr = loader_start(d->loop, d->opt.conf_path, d->opt.units_dir, NULL, boot_units_loaded,
				  d, &d->reloading);
		boot_phase_mark(BOOT_PHASE_LOADER_STARTED);
	} else {
		/* No loader ran, but the reaper, the log writer and the mount
		 * helper are its modes, with protocols no version guards: pin
		 * the file beside initd now, as a load would have, so that an
		 * upgrade on disk before their first start cannot hand this
		 * PID 1 helpers of another version (initd(8) FILES). */
		(void)loader_exe_fd();
	}
	if (lr < 0)
		no_units(d, "cannot start the unit loader (" LOADER_EXE_NAME "): %s", strerror(-lr));
	/* Its process starts with the first line for a log file. */
	if (logwriter_new(d->loop, &d->logwriter) < 0)
		log_error("no log writer (out of memory): services' lines stay in their rings");
	d->cmds.shutdown = commands_shutdown;
	d->cmds.reload = commands_reload;
	d->cmds.data = d;
	d->cmds.watchdog = d->watchdog;
	d->metrics = metrics_new(d->loop);
	if (!d->metrics)
		log_error("no metrics (out of memory): svctl metrics and metrics_file will not work");
	d->cmds.metrics = d->metrics;
	r = control_server_new(d->loop, d->opt.control_path, (gid_t)-1, commands_dispatch,
			       &d->cmds, &d->control);
	if (r < 0)
		log_error("control socket %s: %s; svctl will not work", d->opt.control_path,
			  strerror(-r));
	else {
		control_server_on_gone(d->control, commands_client_gone);
		control_server_on_drained(d->control, commands_client_drained);
	}
	r = notify_server_new(d->loop, d->opt.notify_path, notify_received, d, &d->notify);
	if (r < 0)
		log_error("notify socket %s: %s; notify services will not become ready",
			  d->opt.notify_path, strerror(-r));
	if (d->cmdline.rescue)
		enter_rescue(d, "initd.rescue on the kernel command line");
	boot_phase_mark(BOOT_PHASE_LOOP);
	/* lo's answer: the loader's model cannot arrive before this returns
	 * (it is read in the loop), nor does a compiled one go in before. */
	if (d->pid1 && !d->opt.no_mounts) {
		net_loopback_wait(lo);
		boot_phase_mark(BOOT_PHASE_LOOPBACK);
	}
	if (compiled)
		boot_units_loaded(compiled, 0, NULL, d);
	return loop_run(d->loop);
}

int main(int argc, char **argv)
{
	struct initd d;
	int r;

	d = (struct initd){ .pid1 = getpid() == 1, .crash = CRASH_REBOOT,
			    .sync_timeout_usec = SYNC_TIMEOUT_DEFAULT,
			    .cmds.mode = "default", .cmds.exec_usec = now_usec() };
	r = parse_options(argc, argv, d.pid1, &d.opt);

	if (r != 0)
		return r > 0 ? 0 : CHECK_USAGE;
	if (d.opt.check || d.opt.compile)
		return run_check(&d.opt);
	r = run_daemon(&d);
	if (d.pid1) {
		log_drain(LOG_DRAIN_MSEC);   /* the reason, before the crash action */
		boot_crash(d.crash, "the event loop failed");
	}
	rescue_shell_done(&d.rescue);
	boot_guard_end(d.guard);
	free(d.guard_file);
	control_server_free(d.control);
	commands_instances_free(&d.cmds);
	loader_cancel(d.reloading);
	mounts_free(d.mounts);
	unit_set_free(d.mounting);
	notify_server_free(d.notify);
	manager_free(d.manager);
	metrics_free(d.metrics);
	watchdog_free(d.watchdog);   /* not PID 1: initd's exit disarms it */
	logwriter_free(d.logwriter);
	log_attach(NULL);
	log_drain(LOG_DRAIN_MSEC);
	loop_free(d.loop);
	return r < 0 ? 1 : 0;
}
