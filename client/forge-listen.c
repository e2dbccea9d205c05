/*-------------------------------------------------------------------------
 *
 * forge-listen.c
 *		  Print forge's mutation events: LISTEN on forge's NOTIFY channel,
 *		  or drain forge's durable outbox at least once.
 *
 * Usage:
 *	 forge-listen [OPTION]... [CONNINFO]
 *
 *	 -d, --dbname=CONNINFO	database name, conninfo string or URI (or the
 *							first argument); otherwise the PG* environment
 *							variables decide, as for psql
 *	 -c, --channel=NAME		channel to LISTEN on; repeatable; default "forge"
 *	 -m, --model=[SCHEMA.]TABLE
 *							only events on this table; repeatable
 *	 -o, --op=OP			only events whose op is insert, update or delete;
 *							repeatable
 *	 -n, --count=N			exit after N events
 *		 --once				exit after one event (--count=1)
 *	 -j, --json				print each event as one line of compact JSON
 *	 -e, --exec=CMD			run CMD through /bin/sh -c for each event, the
 *							event's JSON on its standard input, instead of
 *							printing
 *		 --outbox			drain the durable outbox instead of LISTEN alone
 *	 -b, --batch=N			outbox events claimed per transaction (100)
 *	 -i, --interval=SECONDS poll the outbox this often when no NOTIFY comes (1)
 *		 --no-retry			exit instead of retrying (see exit status)
 *	 -v, --verbose			report connections and outbox batches on stderr
 *	 -V, --version, -h, --help
 *
 * Exit status:
 *	 0	the --count was reached, or SIGINT or SIGTERM stopped it
 *	 1	usage error
 *	 2	could not connect, or the connection was lost (with --no-retry)
 *	 3	an event could not be handled: the --exec command failed, an
 *		outbox event is not a JSON object, or an outbox query failed (with
 *		--no-retry)
 *	 4	standard output could not be written, or out of memory
 *
 * Output.  By default one readable line per event:
 *	 2026-11-21T08:00:00.123456Z update public.users rows=1 forge_update seq=1 0.041ms
 * followed by " semanticOp=X" when the payload has one, " keys=[...]" when
 * it carries keys (and " (keys truncated)"), and " id=N" for an outbox
 * event.  Control characters in names print as "?", so an event is always
 * one line.  Numbers print as the payload writes them.  With --json, each
 * payload is printed as received, minus the whitespace between tokens, one
 * object per line (NDJSON): every token byte for byte, whatever the size of
 * its numbers, the depth of its nesting or the length of its strings (see
 * json_check).  --exec's command gets the same text.  stdout is flushed
 * after each event.  In LISTEN mode a payload that is not a JSON object
 * (anyone may NOTIFY) is reported on stderr and skipped.  In outbox mode
 * such an event fails like a failed command: it is reported with its id
 * and never acknowledged (README says how to find and clear it).
 *
 * Filters.  --model compares with the payload's "model", which forge
 * writes as schema.table, unquoted and case-sensitive: a table created as
 * "Users" is public.Users, and public.users does not match it.  A name without a dot matches that table in any schema (the
 * part of "model" after its last dot).  Several --model (or several --op)
 * match any of them; --model and --op must both match.  The filters are
 * refused with --outbox: the outbox is one queue, and a worker that
 * filtered it would acknowledge events it never handled.
 *
 * LISTEN mode.  NOTIFY is lossy: events sent while forge-listen is not
 * connected are not delivered to it.  When the connection is lost,
 * forge-listen says so on stderr, reconnects with exponential backoff
 * (0.5s doubling to 30s, reset once connected), LISTENs again and says
 * "reconnected" once it is listening.  --exec runs the command for each
 * matching event; a failure is reported and the event is dropped.
 *
 * Outbox mode (--outbox) delivers at least once.  In a loop: BEGIN; SELECT
 * id, payload FROM forge_outbox_claim(--batch), which locks up to that many
 * unclaimed events until the transaction ends; print each (or run --exec);
 * SELECT forge_outbox_ack(ids) for those handled; COMMIT.  If an event
 * cannot be handled (the command exits non-zero or is killed, stdout fails)
 * the events before it are acknowledged, it and the rest are released
 * unacknowledged, and forge-listen backs off and claims again: the failed
 * event comes back first.  If the ack or the COMMIT fails, or the
 * connection is lost, nothing of the batch is acknowledged and it is handled
 * again later.  A claim that returns nothing commits and waits for a NOTIFY
 * on the channel(s) or --interval, whichever comes first.  The functions are
 * called unqualified: forge's schema must be on the search_path (add
 * "options=-csearch_path=..." to the conninfo otherwise).  The command gets
 * FORGE_OUTBOX_ID (outbox) or FORGE_CHANNEL (LISTEN) in its environment.
 *
 * Signals.  SIGINT and SIGTERM stop forge-listen cleanly (exit 0): the
 * signal handler sets a flag and writes a byte to a pipe, and every wait
 * polls that pipe with the server's socket, so no wakeup is lost.  In
 * outbox mode the events already handled are acknowledged first.  SIGPIPE
 * is ignored: a command that exits without reading its input is judged by
 * its exit status, and a closed stdout is reported and exits 4.
 *
 * libpq notes: connections are made with PQconnectStartParams and
 * PQconnectPoll so a signal can interrupt a slow connect (connect_timeout,
 * from the conninfo or PGCONNECT_TIMEOUT, is enforced here since
 * PQconnectPoll does not); notifications are read with PQconsumeInput and
 * PQnotifies after poll() says the socket is readable.  A server that
 * vanishes without closing the socket is noticed by TCP keepalives only;
 * tune them in the conninfo (keepalives_idle=...).
 *
 * Copyright (c) 2026, the forge authors
 *
 * client/forge-listen.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define FORGE_LISTEN_VERSION "0.2.0"
#define PROGNAME "forge-listen"

/* exit status, as the header documents */
#define EXIT_DONE		0
#define EXIT_USAGE		1
#define EXIT_CONNECT	2
#define EXIT_HANDLER	3
#define EXIT_LOCAL		4

/* a session's result that is not an exit status: reconnect */
#define SESSION_LOST	(-1)

/* reconnect and retry backoff, in seconds */
#define BACKOFF_MIN		0.5
#define BACKOFF_MAX		30.0

/* the ops --op accepts, as bits */
#define OP_INSERT		0x01
#define OP_UPDATE		0x02
#define OP_DELETE		0x04

/* NOTIFY channel names are identifiers: at most NAMEDATALEN - 1 bytes */
#define CHANNEL_MAX		63

/* what became of one event */
typedef enum EventResult
{
	EVENT_HANDLED,				/* printed, or the command succeeded */
	EVENT_SKIPPED,				/* filtered out, or not a JSON object */
	EVENT_FAILED,				/* the command failed: retry it (outbox) */
	EVENT_OUTPUT_FAILED			/* stdout could not be written */
} EventResult;

/* what became of one outbox batch */
typedef enum BatchResult
{
	BATCH_DONE,					/* events handled and acknowledged */
	BATCH_EMPTY,				/* nothing to claim */
	BATCH_FAILED,				/* an event or a query failed: back off */
	BATCH_LOST,					/* the connection is gone */
	BATCH_OUTPUT_FAILED			/* stdout could not be written */
} BatchResult;

/* the command line */
typedef struct Options
{
	const char *conninfo;		/* NULL: PG* environment */
	const char **channels;
	int			nchannels;
	const char **models;
	int			nmodels;
	unsigned	ops;			/* OP_* bits; 0: any */
	bool		json;
	long long	count;			/* 0: no limit */
	bool		outbox;
	int			batch;
	double		interval;
	const char *exec_cmd;
	bool		no_retry;
	bool		verbose;
} Options;

static Options opts;

/* events handled so far, for --count */
static long long events_handled = 0;

/* why the connection was lost, for the reconnect message */
static char lost_reason[512];

/* set by SIGINT and SIGTERM; the pipe wakes poll() */
static volatile sig_atomic_t stop_requested = 0;
static int	signal_pipe[2] = {-1, -1};


/*
 * first_line
 *		Copy the first line of a libpq message into buf (of size len) and
 *		return buf: libpq's messages end with a newline, and may continue
 *		with DETAIL, HINT or context lines.
 */
static const char *
first_line(const char *msg, char *buf, size_t len)
{
	size_t		n;

	if (msg == NULL || msg[0] == '\0')
		msg = "unknown error";
	n = strcspn(msg, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, msg, n);
	buf[n] = '\0';
	return buf;
}

/*
 * usage
 *		Print the help text to stdout.
 */
static void
usage(void)
{
	printf("%s prints forge's mutation events: it LISTENs on forge's NOTIFY channel,\n"
		   "or drains forge's durable outbox at least once.\n\n", PROGNAME);
	printf("Usage:\n  %s [OPTION]... [CONNINFO]\n\n", PROGNAME);
	printf("Connection:\n"
		   "  -d, --dbname=CONNINFO    database name, conninfo string or URI (or the\n"
		   "                           first argument); otherwise the PG* environment\n"
		   "                           variables decide, as for psql\n"
		   "      --no-retry           exit when the connection fails or is lost, or an\n"
		   "                           event cannot be handled, instead of retrying\n"
		   "                           (by default: backoff from 0.5s doubling to 30s)\n\n");
	printf("Events:\n"
		   "  -c, --channel=NAME       channel to LISTEN on (repeatable; default \"forge\")\n"
		   "  -m, --model=[SCHEMA.]TABLE\n"
		   "                           only events on this table (repeatable); compared\n"
		   "                           with the payload's \"model\", case-sensitive and\n"
		   "                           unquoted; a name without a schema matches that\n"
		   "                           table in any schema\n"
		   "  -o, --op=OP              only events whose op is OP: insert, update or\n"
		   "                           delete (repeatable)\n"
		   "  -n, --count=N            exit after N events\n"
		   "      --once               exit after one event (same as --count=1)\n\n");
	printf("Output:\n"
		   "  -j, --json               print each event's JSON payload on one line (NDJSON)\n"
		   "                           instead of a readable line\n"
		   "  -e, --exec=CMD           instead of printing, run CMD with /bin/sh -c for each\n"
		   "                           event, its JSON on CMD's standard input; a non-zero\n"
		   "                           exit or a signal is a failure\n"
		   "  -v, --verbose            report connections and outbox batches on stderr\n\n");
	printf("Outbox (at least once delivery):\n"
		   "      --outbox             drain forge's durable outbox with forge_outbox_claim\n"
		   "                           and forge_outbox_ack; an event is acknowledged only\n"
		   "                           after it was printed or CMD succeeded, else it is\n"
		   "                           claimed again after a backoff (--model and --op\n"
		   "                           cannot be used: the outbox is one queue)\n"
		   "  -b, --batch=N            events claimed per transaction (default 100)\n"
		   "  -i, --interval=SECONDS   poll the outbox this often when no NOTIFY on the\n"
		   "                           channel(s) comes first (default 1)\n\n");
	printf("Other:\n"
		   "  -V, --version            print the version and exit\n"
		   "  -h, --help               print this help and exit\n\n");
	printf("Exit status:\n"
		   "  0  the --count was reached, or SIGINT or SIGTERM stopped it\n"
		   "  1  usage error\n"
		   "  2  could not connect, or the connection was lost (with --no-retry)\n"
		   "  3  an event could not be handled: CMD failed, an outbox event is not a\n"
		   "     JSON object, or an outbox query failed (with --no-retry)\n"
		   "  4  standard output could not be written, or out of memory\n");
}

/*
 * usage_error
 *		Report a command line mistake (a printf format and arguments) and
 *		exit with EXIT_USAGE.
 */
static void
usage_error(const char *fmt,...)
__attribute__((format(printf, 1, 2), noreturn));

static void
usage_error(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: ", PROGNAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"%s --help\" for more information.\n", PROGNAME);
	exit(EXIT_USAGE);
}

/*
 * out_of_memory
 *		Report that malloc failed and exit with EXIT_LOCAL.
 */
static void
out_of_memory(void)
{
	fprintf(stderr, "%s: out of memory\n", PROGNAME);
	exit(EXIT_LOCAL);
}

/*
 * append_option
 *		Append value to the array *list of *n strings.
 */
static void
append_option(const char ***list, int *n, const char *value)
{
	const char **grown = realloc(*list, sizeof(char *) * (*n + 1));

	if (grown == NULL)
		out_of_memory();
	grown[*n] = value;
	*list = grown;
	(*n)++;
}

/*
 * parse_positive
 *		Parse the value of option name as an integer from 1 to max, or exit
 *		with a usage error.
 */
static long long
parse_positive(const char *name, const char *value, long long max)
{
	char	   *end;
	long long	n;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < 1 || n > max)
		usage_error("invalid value for %s: \"%s\" (an integer from 1 to %lld)",
					name, value, max);
	return n;
}

/*
 * parse_options
 *		Fill opts from the command line; exit on --help, --version and
 *		mistakes.
 */
static void
parse_options(int argc, char **argv)
{
	enum
	{
		OPT_ONCE = 256,
		OPT_OUTBOX,
		OPT_NO_RETRY
	};
	static const struct option long_options[] = {
		{"dbname", required_argument, NULL, 'd'},
		{"channel", required_argument, NULL, 'c'},
		{"model", required_argument, NULL, 'm'},
		{"op", required_argument, NULL, 'o'},
		{"count", required_argument, NULL, 'n'},
		{"once", no_argument, NULL, OPT_ONCE},
		{"json", no_argument, NULL, 'j'},
		{"exec", required_argument, NULL, 'e'},
		{"outbox", no_argument, NULL, OPT_OUTBOX},
		{"batch", required_argument, NULL, 'b'},
		{"interval", required_argument, NULL, 'i'},
		{"no-retry", no_argument, NULL, OPT_NO_RETRY},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	int			c;
	char	   *end;

	opts.batch = 100;
	opts.interval = 1.0;

	while ((c = getopt_long(argc, argv, "d:c:m:o:n:je:b:i:vVh",
							long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'd':
				opts.conninfo = optarg;
				break;
			case 'c':
				if (optarg[0] == '\0' || strlen(optarg) > CHANNEL_MAX)
					usage_error("invalid channel name \"%s\" (1 to %d bytes)",
								optarg, CHANNEL_MAX);
				append_option(&opts.channels, &opts.nchannels, optarg);
				break;
			case 'm':
				if (optarg[0] == '\0')
					usage_error("--model needs a table name");
				append_option(&opts.models, &opts.nmodels, optarg);
				break;
			case 'o':
				if (strcmp(optarg, "insert") == 0)
					opts.ops |= OP_INSERT;
				else if (strcmp(optarg, "update") == 0)
					opts.ops |= OP_UPDATE;
				else if (strcmp(optarg, "delete") == 0)
					opts.ops |= OP_DELETE;
				else
					usage_error("invalid value for --op: \"%s\" (insert, update or delete)",
								optarg);
				break;
			case 'n':
				opts.count = parse_positive("--count", optarg, LLONG_MAX);
				break;
			case OPT_ONCE:
				opts.count = 1;
				break;
			case 'j':
				opts.json = true;
				break;
			case 'e':
				if (optarg[0] == '\0')
					usage_error("--exec needs a command");
				opts.exec_cmd = optarg;
				break;
			case OPT_OUTBOX:
				opts.outbox = true;
				break;
			case 'b':
				opts.batch = (int) parse_positive("--batch", optarg, 100000);
				break;
			case 'i':
				errno = 0;
				opts.interval = strtod(optarg, &end);
				if (errno != 0 || end == optarg || *end != '\0' ||
					!(opts.interval >= 0.01 && opts.interval <= 86400))
					usage_error("invalid value for --interval: \"%s\" (seconds, from 0.01 to 86400)",
								optarg);
				break;
			case OPT_NO_RETRY:
				opts.no_retry = true;
				break;
			case 'v':
				opts.verbose = true;
				break;
			case 'V':
				printf("%s (forge) %s\n", PROGNAME, FORGE_LISTEN_VERSION);
				exit(EXIT_DONE);
			case 'h':
				usage();
				exit(EXIT_DONE);
			default:
				/* getopt_long has said what was wrong */
				fprintf(stderr, "Try \"%s --help\" for more information.\n",
						PROGNAME);
				exit(EXIT_USAGE);
		}
	}

	if (optind < argc)
	{
		if (opts.conninfo != NULL)
			usage_error("a connection is given twice: --dbname and \"%s\"",
						argv[optind]);
		opts.conninfo = argv[optind++];
	}
	if (optind < argc)
		usage_error("too many arguments, starting with \"%s\"", argv[optind]);

	if (opts.outbox && (opts.nmodels > 0 || opts.ops != 0))
		usage_error("--model and --op cannot be used with --outbox: the outbox is one queue, and a filtered worker would acknowledge events it did not handle");

	/* a conninfo string or URI that libpq cannot read is a usage error */
	if (opts.conninfo != NULL &&
		(strchr(opts.conninfo, '=') != NULL ||
		 strncmp(opts.conninfo, "postgresql://", 13) == 0 ||
		 strncmp(opts.conninfo, "postgres://", 11) == 0))
	{
		char	   *err = NULL;
		PQconninfoOption *parsed = PQconninfoParse(opts.conninfo, &err);

		if (parsed == NULL)
		{
			if (err == NULL)
				out_of_memory();
		{
			char		buf[512];

			usage_error("invalid connection string: %s",
						first_line(err, buf, sizeof(buf)));
		}
		}
		PQconninfoFree(parsed);
	}

	if (opts.nchannels == 0)
		append_option(&opts.channels, &opts.nchannels, "forge");
}

/*
 * handle_stop_signal
 *		SIGINT and SIGTERM: ask the main loop to stop, and wake its poll().
 */
static void
handle_stop_signal(int signo)
{
	int			save_errno = errno;
	ssize_t		rc;

	(void) signo;
	stop_requested = 1;
	rc = write(signal_pipe[1], "x", 1);
	(void) rc;					/* a full pipe already wakes poll() */
	errno = save_errno;
}

/*
 * set_fd_flags
 *		Make fd close-on-exec and, if nonblock, non-blocking; exit on
 *		failure.
 */
static void
set_fd_flags(int fd, bool nonblock)
{
	int			flags;

	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
	if (nonblock)
	{
		flags = fcntl(fd, F_GETFL);
		if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
			goto fail;
	}
	return;

fail:
	fprintf(stderr, "%s: could not set file descriptor flags: %s\n",
			PROGNAME, strerror(errno));
	exit(EXIT_LOCAL);
}

/*
 * setup_signals
 *		Install the SIGINT and SIGTERM handlers and their wakeup pipe; ignore
 *		SIGPIPE.  No SA_RESTART: a signal interrupts poll() and waitpid().
 */
static void
setup_signals(void)
{
	struct sigaction sa;

	if (pipe(signal_pipe) == -1)
	{
		fprintf(stderr, "%s: could not create pipe: %s\n",
				PROGNAME, strerror(errno));
		exit(EXIT_LOCAL);
	}
	set_fd_flags(signal_pipe[0], true);
	set_fd_flags(signal_pipe[1], true);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handle_stop_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * now_ms
 *		Monotonic clock, in milliseconds.
 */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/*
 * wait_for
 *		Wait until fd (if >= 0) reports one of events, a stop signal comes,
 *		or timeout_ms passes (negative: no timeout).  Returns 1 when fd is
 *		ready (or in error: the caller's next libpq call says which), 0 on
 *		timeout, -1 when a stop was requested.
 */
static int
wait_for(int fd, short events, double timeout_ms)
{
	double		deadline = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;

	for (;;)
	{
		struct pollfd pfd[2];
		int			nfds = 1;
		int			wait_ms = -1;
		int			rc;

		if (stop_requested)
			return -1;

		pfd[0].fd = signal_pipe[0];
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		if (fd >= 0)
		{
			pfd[1].fd = fd;
			pfd[1].events = events;
			pfd[1].revents = 0;
			nfds = 2;
		}
		if (timeout_ms >= 0)
		{
			double		left = deadline - now_ms();

			if (left <= 0)
				return 0;
			wait_ms = (int) left + 1;	/* round up, without libm */
		}

		rc = poll(pfd, nfds, wait_ms);
		if (rc < 0)
		{
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll() failed: %s\n", PROGNAME, strerror(errno));
			return 1;
		}
		if (pfd[0].revents != 0)
		{
			char		buf[64];

			while (read(signal_pipe[0], buf, sizeof(buf)) > 0)
				;
			continue;			/* the loop's top sees stop_requested */
		}
		if (rc == 0)
			continue;			/* the deadline check returns 0 */
		if (nfds == 2 && pfd[1].revents != 0)
			return 1;
	}
}

/*
 * sleep_for
 *		Sleep for seconds, or until a stop signal.  Returns false if a stop
 *		was requested.
 */
static bool
sleep_for(double seconds)
{
	return wait_for(-1, 0, seconds * 1000.0) == 0;
}

/*
 * next_backoff
 *		The backoff delay that follows delay.
 */
static double
next_backoff(double delay)
{
	return delay * 2 > BACKOFF_MAX ? BACKOFF_MAX : delay * 2;
}

/*
 * set_lost
 *		Remember why the connection was lost (conn's error message).
 */
static void
set_lost(PGconn *conn)
{
	first_line(PQerrorMessage(conn), lost_reason, sizeof(lost_reason));
}

/*
 * notice_processor
 *		Print a server notice, or the error a server sends before it closes
 *		an idle connection, on stderr with forge-listen's prefix.
 */
static void
notice_processor(void *arg, const char *message)
{
	char		buf[512];

	(void) arg;
	fprintf(stderr, "%s: server: %s\n", PROGNAME,
			first_line(message, buf, sizeof(buf)));
}

/*
 * connect_timeout_ms
 *		conn's connect_timeout (conninfo or PGCONNECT_TIMEOUT) in
 *		milliseconds, or -1 for none.  libpq's own minimum is 2 seconds.
 */
static double
connect_timeout_ms(PGconn *conn)
{
	PQconninfoOption *options = PQconninfo(conn);
	PQconninfoOption *o;
	double		timeout = -1;

	if (options == NULL)
		return -1;
	for (o = options; o->keyword != NULL; o++)
	{
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val != NULL)
		{
			int			seconds = atoi(o->val);

			if (seconds > 0)
				timeout = (seconds < 2 ? 2 : seconds) * 1000.0;
		}
	}
	PQconninfoFree(options);
	return timeout;
}

/*
 * connect_db
 *		Open a connection to opts.conninfo, or with the PG* environment.
 *		Returns it, or NULL with errbuf (of size len) saying why; NULL with
 *		an empty errbuf when a stop was requested.
 */
static PGconn *
connect_db(char *errbuf, size_t len)
{
	/* JSON is UTF-8: client_encoding, after dbname, overrides any other */
	const char *keywords[] = {"dbname", "fallback_application_name",
	"client_encoding", NULL};
	const char *values[] = {opts.conninfo, PROGNAME, "UTF8", NULL};
	PostgresPollingStatusType status = PGRES_POLLING_WRITING;
	PGconn	   *conn;
	double		timeout;
	double		started = now_ms();

	errbuf[0] = '\0';
	conn = PQconnectStartParams(keywords, values, 1);
	if (conn == NULL)
		out_of_memory();
	if (PQstatus(conn) == CONNECTION_BAD)
	{
		first_line(PQerrorMessage(conn), errbuf, len);
		PQfinish(conn);
		return NULL;
	}
	timeout = connect_timeout_ms(conn);

	while (status != PGRES_POLLING_OK)
	{
		int			rc;

		if (status == PGRES_POLLING_FAILED)
		{
			first_line(PQerrorMessage(conn), errbuf, len);
			PQfinish(conn);
			return NULL;
		}
		rc = wait_for(PQsocket(conn),
					  status == PGRES_POLLING_READING ? POLLIN : POLLOUT,
					  timeout < 0 ? -1 : timeout - (now_ms() - started));
		if (rc < 0)
		{
			PQfinish(conn);
			return NULL;
		}
		if (rc == 0)
		{
			snprintf(errbuf, len, "timeout expired");
			PQfinish(conn);
			return NULL;
		}
		status = PQconnectPoll(conn);
	}

	PQsetNoticeProcessor(conn, notice_processor, NULL);
	return conn;
}

/*
 * run_simple
 *		Run sql, which returns no rows, on conn.  Returns true on success;
 *		otherwise reports the error (what failed: a printf-free description)
 *		unless the connection is gone, and returns false.
 */
static bool
run_simple(PGconn *conn, const char *sql, const char *what)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	char		buf[512];

	if (!ok && PQstatus(conn) != CONNECTION_BAD)
		fprintf(stderr, "%s: %s: %s\n", PROGNAME, what,
				first_line(PQresultErrorMessage(res), buf, sizeof(buf)));
	PQclear(res);
	return ok;
}

/*
 * listen_channels
 *		LISTEN on every --channel.  Returns false, with errbuf (of size len)
 *		saying why, if one could not be listened on.
 */
static bool
listen_channels(PGconn *conn, char *errbuf, size_t len)
{
	int			i;

	for (i = 0; i < opts.nchannels; i++)
	{
		char	   *ident = PQescapeIdentifier(conn, opts.channels[i],
											   strlen(opts.channels[i]));
		char	   *sql;
		PGresult   *res;
		bool		ok;
		char		buf[400];

		if (ident == NULL)
		{
			snprintf(errbuf, len, "could not quote channel \"%s\": %s",
					 opts.channels[i],
					 first_line(PQerrorMessage(conn), buf, sizeof(buf)));
			return false;
		}
		sql = malloc(strlen(ident) + sizeof("LISTEN "));
		if (sql == NULL)
			out_of_memory();
		sprintf(sql, "LISTEN %s", ident);
		PQfreemem(ident);

		res = PQexec(conn, sql);
		free(sql);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			snprintf(errbuf, len, "could not listen on channel \"%s\": %s",
					 opts.channels[i],
					 first_line(PQresultErrorMessage(res), buf, sizeof(buf)));
		PQclear(res);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * JSON.  forge-listen reads payloads with a scanner of its own rather than a
 * JSON library: a payload holds whatever forge's jsonb holds (numbers of
 * any size, like a numeric(20,0) key of 18446744073709551615 or 1e400;
 * nesting of any depth; strings of any length), and JSON libraries refuse
 * some of those (jansson: integers beyond 64 bits, doubles that overflow,
 * more than 2048 levels).  json_check validates RFC 8259 syntax with no
 * limit but memory; json_member finds a top-level member of a checked
 * object without decoding anything else, so every value reaches the
 * output and the --exec command exactly as the server sent it.
 */

/* a value inside a payload: its text, as sent */
typedef struct JsonSpan
{
	const char *p;
	size_t		len;
} JsonSpan;

/*
 * json_ws
 *		Skip JSON whitespace from p.
 */
static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/*
 * json_string_end
 *		p is at a '"': the position after the string that starts there, or
 *		NULL if it is not a valid JSON string (an unescaped control
 *		character, a bad escape, no closing quote).  Bytes from 0x80 up are
 *		taken as they are: the server sends the database's text.
 */
static const char *
json_string_end(const char *p)
{
	for (p++;; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;		/* a control character, or the end */
		if (c == '\\')
		{
			p++;
			if (*p == 'u')
			{
				int			i;

				for (i = 1; i <= 4; i++)
					if (!((p[i] >= '0' && p[i] <= '9') ||
						  (p[i] >= 'a' && p[i] <= 'f') ||
						  (p[i] >= 'A' && p[i] <= 'F')))
						return NULL;
				p += 4;
			}
			else if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL)
				return NULL;
		}
	}
}

/*
 * json_number_end
 *		p is at a '-' or a digit: the position after the number that starts
 *		there (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, any length),
 *		or NULL if it is not one.
 */
static const char *
json_number_end(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.')
	{
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

/*
 * json_member_key
 *		*p is at an object member: move it past the key and the colon.
 *		On failure returns what was expected, with *p where it was expected
 *		(NULL when the key's string does not end).
 */
static const char *
json_member_key(const char **p)
{
	const char *q = *p;

	if (*q != '"' || (q = json_string_end(q)) == NULL)
	{
		*p = q;
		return "an object key";
	}
	q = json_ws(q);
	if (*q != ':')
	{
		*p = q;
		return "\":\"";
	}
	*p = json_ws(q + 1);
	return NULL;
}

/*
 * json_check
 *		Whether text is one JSON value (RFC 8259), with whitespace around it
 *		allowed.  Nesting is tracked on a heap stack, so any depth passes.
 *		On failure, err (of size errlen) says what was expected where.
 */
static bool
json_check(const char *text, char *err, size_t errlen)
{
	char	   *stack = NULL;	/* '{' or '[' per open container */
	size_t		depth = 0;
	size_t		room = 0;
	const char *p = json_ws(text);
	const char *what = NULL;

	for (;;)
	{
		/* a value is expected at p */
		const char *end = NULL;

		if (*p == '{' || *p == '[')
		{
			if (depth == room)
			{
				char	   *grown = realloc(stack, room = room ? room * 2 : 64);

				if (grown == NULL)
					out_of_memory();
				stack = grown;
			}
			stack[depth++] = *p;
			p = json_ws(p + 1);
			if ((stack[depth - 1] == '{' && *p == '}') ||
				(stack[depth - 1] == '[' && *p == ']'))
			{
				depth--;
				end = p + 1;
			}
			else if (stack[depth - 1] == '{')
			{
				/* the first key */
				if ((what = json_member_key(&p)) != NULL)
					break;
				continue;
			}
			else
				continue;		/* the first element */
		}
		else if (*p == '"')
			end = json_string_end(p);
		else if (*p == '-' || (*p >= '0' && *p <= '9'))
			end = json_number_end(p);
		else if (strncmp(p, "true", 4) == 0)
			end = p + 4;
		else if (strncmp(p, "false", 5) == 0)
			end = p + 5;
		else if (strncmp(p, "null", 4) == 0)
			end = p + 4;
		if (end == NULL)
		{
			what = "a value";
			break;
		}

		/* after a value: close containers, or go on to the next member */
		p = json_ws(end);
		while (depth > 0)
		{
			char		close = stack[depth - 1] == '{' ? '}' : ']';

			if (*p == close)
			{
				depth--;
				p = json_ws(p + 1);
				continue;
			}
			if (*p != ',')
			{
				what = stack[depth - 1] == '{' ? "\",\" or \"}\"" : "\",\" or \"]\"";
				break;
			}
			p = json_ws(p + 1);
			if (stack[depth - 1] == '{')
				what = json_member_key(&p);
			break;
		}
		if (what != NULL)
			break;
		if (depth == 0)
		{
			if (*p != '\0')
				what = "the end of the payload";
			break;
		}
	}

	free(stack);
	if (what == NULL)
		return true;
	if (p == NULL)
		snprintf(err, errlen, "not valid JSON (expected %s)", what);
	else
		snprintf(err, errlen, "not valid JSON (expected %s at byte %ld)",
				 what, (long) (p - text));
	return false;
}

/*
 * json_value_end
 *		p is at a value of a payload json_check accepted: the position after
 *		that value.
 */
static const char *
json_value_end(const char *p)
{
	size_t		depth = 0;

	do
	{
		if (*p == '"')
			p = json_string_end(p);
		else
		{
			if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']')
				depth--;
			p++;
		}
	} while (depth > 0);
	/* a scalar outside any container: scan on to its end */
	while (*p != '\0' && strchr(",}] \t\n\r", *p) == NULL)
		p++;
	return p;
}

/*
 * json_string_decode
 *		The text of the JSON string at span (quotes included), unescaped
 *		into a malloc'd C string; NULL if it holds \u0000, which a C string
 *		cannot.
 */
static char *
json_string_decode(JsonSpan span)
{
	char	   *out = malloc(span.len + 1);
	char	   *o = out;
	const char *p = span.p + 1;
	const char *end = span.p + span.len - 1;

	if (out == NULL)
		out_of_memory();
	while (p < end)
	{
		unsigned long cp;

		if (*p != '\\')
		{
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p)
		{
			case 'b':
				*o++ = '\b';
				break;
			case 'f':
				*o++ = '\f';
				break;
			case 'n':
				*o++ = '\n';
				break;
			case 'r':
				*o++ = '\r';
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'u':
				cp = strtoul((char[5]) {p[1], p[2], p[3], p[4], '\0'}, NULL, 16);
				p += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF && p[1] == '\\' && p[2] == 'u')
				{
					unsigned long lo = strtoul((char[5]) {p[3], p[4], p[5], p[6], '\0'},
											   NULL, 16);

					if (lo >= 0xDC00 && lo <= 0xDFFF)
					{
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						p += 6;
					}
				}
				if (cp == 0)
				{
					free(out);
					return NULL;
				}
				if (cp < 0x80)
					*o++ = (char) cp;
				else if (cp < 0x800)
				{
					*o++ = (char) (0xC0 | (cp >> 6));
					*o++ = (char) (0x80 | (cp & 0x3F));
				}
				else if (cp < 0x10000)
				{
					*o++ = (char) (0xE0 | (cp >> 12));
					*o++ = (char) (0x80 | ((cp >> 6) & 0x3F));
					*o++ = (char) (0x80 | (cp & 0x3F));
				}
				else
				{
					*o++ = (char) (0xF0 | (cp >> 18));
					*o++ = (char) (0x80 | ((cp >> 12) & 0x3F));
					*o++ = (char) (0x80 | ((cp >> 6) & 0x3F));
					*o++ = (char) (0x80 | (cp & 0x3F));
				}
				break;
			default:			/* " \ / */
				*o++ = *p;
				break;
		}
		p++;
	}
	*o = '\0';
	return out;
}

/*
 * json_member
 *		Find the member name of the object text (which json_check accepted)
 *		and set *value to its value's text.  Returns false if there is none.
 */
static bool
json_member(const char *text, const char *name, JsonSpan *value)
{
	const char *p = json_ws(text);

	if (*p != '{')
		return false;
	p = json_ws(p + 1);
	while (*p == '"')
	{
		JsonSpan	key = {p, 0};
		const char *end = json_string_end(p);
		char	   *decoded;
		bool		match;

		key.len = end - p;
		decoded = json_string_decode(key);
		match = decoded != NULL && strcmp(decoded, name) == 0;
		free(decoded);
		p = json_ws(json_ws(end) + 1);	/* past ":" */
		end = json_value_end(p);
		if (match)
		{
			value->p = p;
			value->len = end - p;
			return true;
		}
		p = json_ws(end);
		if (*p != ',')
			return false;
		p = json_ws(p + 1);
	}
	return false;
}

/*
 * json_member_string
 *		The decoded string member name of the object text, malloc'd, or
 *		NULL if it has none (or it is not a string).
 */
static char *
json_member_string(const char *text, const char *name)
{
	JsonSpan	v;

	if (!json_member(text, name, &v) || v.p[0] != '"')
		return NULL;
	return json_string_decode(v);
}

/*
 * compact_json
 *		A copy of text, which is valid JSON, without whitespace between
 *		tokens: one line.  The caller frees it.
 */
static char *
compact_json(const char *text)
{
	char	   *out = malloc(strlen(text) + 1);
	char	   *o = out;
	bool		in_string = false;
	bool		escaped = false;
	const char *p;

	if (out == NULL)
		out_of_memory();
	for (p = text; *p != '\0'; p++)
	{
		if (in_string)
		{
			if (escaped)
				escaped = false;
			else if (*p == '\\')
				escaped = true;
			else if (*p == '"')
				in_string = false;
		}
		else if (*p == '"')
			in_string = true;
		else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			continue;
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/*
 * put_text
 *		Write s to stdout with control characters as "?", so that a name
 *		cannot break the one-line-per-event output.
 */
static void
put_text(const char *s)
{
	for (; *s != '\0'; s++)
	{
		unsigned char c = (unsigned char) *s;

		putchar(c < 0x20 || c == 0x7f ? '?' : c);
	}
}

/*
 * put_string_field
 *		Write event's string field key to stdout, or "?" if it has none.
 */
static void
put_string_field(const char *event, const char *key)
{
	char	   *v = json_member_string(event, key);

	put_text(v != NULL ? v : "?");
	free(v);
}

/*
 * put_number_field
 *		Write event's number field key to stdout as the payload writes it
 *		(any size, exactly), followed by suffix; or "?" if it has none and
 *		nothing when optional.
 */
static void
put_number_field(const char *event, const char *key, bool optional,
				 const char *prefix, const char *suffix)
{
	JsonSpan	v;

	if (json_member(event, key, &v) && (v.p[0] == '-' || (v.p[0] >= '0' && v.p[0] <= '9')))
		printf("%s%.*s%s", prefix, (int) v.len, v.p, suffix);
	else if (!optional)
		printf("%s?%s", prefix, suffix);
}

/*
 * print_readable
 *		Print event as one readable line; outbox_id is its outbox id, or -1.
 */
static void
print_readable(const char *event, long long outbox_id)
{
	JsonSpan	v;
	char	   *s;

	put_string_field(event, "startedAt");
	putchar(' ');
	put_string_field(event, "op");
	putchar(' ');
	put_string_field(event, "model");
	put_number_field(event, "rowCount", false, " rows=", "");
	putchar(' ');
	put_string_field(event, "verb");
	put_number_field(event, "seq", false, " seq=", "");
	put_number_field(event, "duration_ms", true, " ", "ms");
	if ((s = json_member_string(event, "semanticOp")) != NULL)
	{
		printf(" semanticOp=");
		put_text(s);
		free(s);
	}
	if (json_member(event, "keys", &v) && strncmp(v.p, "null", 4) != 0)
	{
		char	   *raw = strndup(v.p, v.len);
		char	   *keys;

		if (raw == NULL)
			out_of_memory();
		keys = compact_json(raw);
		printf(" keys=");
		put_text(keys);
		free(keys);
		free(raw);
		if (json_member(event, "keysTruncated", &v) && strncmp(v.p, "true", 4) == 0)
			printf(" (keys truncated)");
	}
	if (outbox_id >= 0)
		printf(" id=%lld", outbox_id);
	putchar('\n');
}

/*
 * event_matches
 *		Whether event passes the --model and --op filters.
 */
static bool
event_matches(const char *event)
{
	if (opts.nmodels > 0)
	{
		char	   *model = json_member_string(event, "model");
		const char *table;
		bool		found = false;
		int			i;

		if (model == NULL)
			return false;
		table = strrchr(model, '.');
		table = table != NULL ? table + 1 : model;
		for (i = 0; i < opts.nmodels && !found; i++)
		{
			if (strchr(opts.models[i], '.') != NULL)
				found = strcmp(opts.models[i], model) == 0;
			else
				found = strcmp(opts.models[i], table) == 0;
		}
		free(model);
		if (!found)
			return false;
	}
	if (opts.ops != 0)
	{
		char	   *op = json_member_string(event, "op");
		bool		ok = op != NULL &&
			((strcmp(op, "insert") == 0 && (opts.ops & OP_INSERT)) ||
			 (strcmp(op, "update") == 0 && (opts.ops & OP_UPDATE)) ||
			 (strcmp(op, "delete") == 0 && (opts.ops & OP_DELETE)));

		free(op);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * write_all
 *		Write len bytes of buf to fd.  Returns false on an error other than
 *		EINTR (errno says which).
 */
static bool
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = write(fd, buf, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return false;
		}
		buf += n;
		len -= n;
	}
	return true;
}

/*
 * run_command
 *		Run --exec's command through /bin/sh -c with json and a newline on
 *		its standard input; env_name=env_value in its environment.  Returns
 *		true if it exited with status 0, else reports the failure.
 */
static bool
run_command(const char *json, const char *env_name, const char *env_value)
{
	int			fds[2];
	pid_t		pid;
	int			status;

	fflush(stdout);				/* the command shares our stdout */
	if (pipe(fds) == -1)
	{
		fprintf(stderr, "%s: could not create pipe: %s\n", PROGNAME, strerror(errno));
		return false;
	}
	set_fd_flags(fds[0], false);
	set_fd_flags(fds[1], false);

	pid = fork();
	if (pid < 0)
	{
		fprintf(stderr, "%s: could not fork: %s\n", PROGNAME, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0)
	{
		/* child: stdin from the pipe, default SIGPIPE, then the shell */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(fds[0], STDIN_FILENO) == -1)
			_exit(127);
		setenv(env_name, env_value, 1);
		execl("/bin/sh", "sh", "-c", opts.exec_cmd, (char *) NULL);
		_exit(127);
	}

	close(fds[0]);
	/* a command that does not read its input (EPIPE) is judged by its exit */
	if (!write_all(fds[1], json, strlen(json)) || !write_all(fds[1], "\n", 1))
	{
		if (errno != EPIPE)
			fprintf(stderr, "%s: could not write to the command: %s\n",
					PROGNAME, strerror(errno));
	}
	close(fds[1]);

	while (waitpid(pid, &status, 0) == -1)
	{
		if (errno != EINTR)
		{
			fprintf(stderr, "%s: could not wait for the command: %s\n",
					PROGNAME, strerror(errno));
			return false;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status))
		fprintf(stderr, "%s: command exited with status %d\n",
				PROGNAME, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "%s: command was terminated by signal %d: %s\n",
				PROGNAME, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		fprintf(stderr, "%s: command failed with status %d\n", PROGNAME, status);
	return false;
}

/*
 * handle_event
 *		Check payload (received on channel, or outbox event outbox_id when
 *		outbox_id >= 0), filter it, and print it or run --exec on it.  A
 *		payload that is not a JSON object is skipped in LISTEN mode (anyone
 *		may NOTIFY on a channel); an outbox event is never skipped: it fails,
 *		so it is not acknowledged, and stays for the user to see.
 */
static EventResult
handle_event(const char *payload, const char *channel, long long outbox_id)
{
	char	   *compact;
	EventResult result = EVENT_HANDLED;
	char		where[128];
	char		err[128];
	bool		valid;

	if (outbox_id >= 0)
		snprintf(where, sizeof(where), "outbox event %lld", outbox_id);
	else
		snprintf(where, sizeof(where), "a payload on channel \"%s\"", channel);

	valid = json_check(payload, err, sizeof(err));
	if (valid && *json_ws(payload) != '{')
	{
		valid = false;
		snprintf(err, sizeof(err), "not a JSON object");
	}
	if (!valid)
	{
		if (outbox_id < 0)
		{
			fprintf(stderr, "%s: skipping %s: %s\n", PROGNAME, where, err);
			return EVENT_SKIPPED;
		}
		fprintf(stderr, "%s: could not handle %s: %s; it stays in forge_outbox, unacknowledged\n",
				PROGNAME, where, err);
		return EVENT_FAILED;
	}
	if (!event_matches(payload))
		return EVENT_SKIPPED;

	compact = compact_json(payload);
	if (opts.exec_cmd != NULL)
	{
		char		id[32];

		snprintf(id, sizeof(id), "%lld", outbox_id);
		if (!run_command(compact,
						 outbox_id >= 0 ? "FORGE_OUTBOX_ID" : "FORGE_CHANNEL",
						 outbox_id >= 0 ? id : channel))
		{
			fprintf(stderr, "%s: could not handle %s\n", PROGNAME, where);
			result = EVENT_FAILED;
		}
	}
	else
	{
		if (opts.json)
			printf("%s\n", compact);
		else
			print_readable(payload, outbox_id);
		if (fflush(stdout) != 0 || ferror(stdout))
		{
			fprintf(stderr, "%s: could not write to standard output: %s\n",
					PROGNAME, strerror(errno));
			result = EVENT_OUTPUT_FAILED;
		}
	}
	free(compact);

	if (result == EVENT_HANDLED)
		events_handled++;
	return result;
}

/*
 * count_reached
 *		Whether --count events have been handled.
 */
static bool
count_reached(void)
{
	return opts.count > 0 && events_handled >= opts.count;
}

/*
 * run_listen
 *		LISTEN mode on conn, already listening: handle notifications until
 *		the count is reached, a stop, or a failure.  Returns an exit status,
 *		or SESSION_LOST.
 */
static int
run_listen(PGconn *conn)
{
	for (;;)
	{
		PGnotify   *notify;

		while ((notify = PQnotifies(conn)) != NULL)
		{
			EventResult r = handle_event(notify->extra, notify->relname, -1);

			PQfreemem(notify);
			if (r == EVENT_OUTPUT_FAILED)
				return EXIT_LOCAL;
			if (r == EVENT_FAILED && opts.no_retry && !stop_requested)
				return EXIT_HANDLER;
			if (count_reached() || stop_requested)
				return EXIT_DONE;
		}

		if (PQstatus(conn) == CONNECTION_BAD || PQsocket(conn) < 0)
		{
			set_lost(conn);
			return SESSION_LOST;
		}
		if (wait_for(PQsocket(conn), POLLIN, -1) < 0)
			return EXIT_DONE;
		if (!PQconsumeInput(conn))
		{
			set_lost(conn);
			return SESSION_LOST;
		}
	}
}

/*
 * batch_query_failed
 *		An outbox query (what) failed with res: the connection is lost, or
 *		the error is reported and the transaction rolled back.
 */
static BatchResult
batch_query_failed(PGconn *conn, PGresult *res, const char *what)
{
	char		buf[512];

	if (PQstatus(conn) == CONNECTION_BAD)
	{
		set_lost(conn);
		return BATCH_LOST;
	}
	fprintf(stderr, "%s: %s: %s\n", PROGNAME, what,
			first_line(PQresultErrorMessage(res), buf, sizeof(buf)));
	if (!run_simple(conn, "ROLLBACK", "could not roll back") &&
		PQstatus(conn) == CONNECTION_BAD)
	{
		set_lost(conn);
		return BATCH_LOST;
	}
	return BATCH_FAILED;
}

/*
 * commit_batch
 *		COMMIT the outbox transaction on conn.  A COMMIT of a failed
 *		transaction answers ROLLBACK, which is a failure here too.
 */
static BatchResult
commit_batch(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "COMMIT");
	BatchResult result = BATCH_DONE;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		result = batch_query_failed(conn, res, "could not commit");
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
	{
		fprintf(stderr, "%s: could not commit: the server rolled back\n", PROGNAME);
		result = BATCH_FAILED;
	}
	PQclear(res);
	return result;
}

/*
 * ack_events
 *		SELECT forge_outbox_ack() on the n ids.
 */
static BatchResult
ack_events(PGconn *conn, const long long *ids, int n)
{
	char	   *array = malloc((size_t) n * 21 + 3);
	char	   *p = array;
	const char *params[1];
	PGresult   *res;
	BatchResult result = BATCH_DONE;
	int			i;

	if (array == NULL)
		out_of_memory();
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, i == 0 ? "%lld" : ",%lld", ids[i]);
	*p++ = '}';
	*p = '\0';

	params[0] = array;
	res = PQexecParams(conn, "SELECT forge_outbox_ack($1::bigint[])",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		result = batch_query_failed(conn, res, "could not acknowledge outbox events");
	else if (opts.verbose)
		fprintf(stderr, "%s: acknowledged %d outbox event(s) %s\n",
				PROGNAME, n, array);
	PQclear(res);
	free(array);
	return result;
}

/*
 * run_batch
 *		One outbox transaction on conn: claim up to want events, handle them,
 *		acknowledge those handled, commit.
 */
static BatchResult
run_batch(PGconn *conn, int want)
{
	PGresult   *res;
	const char *params[1];
	char		nbuf[16];
	long long  *ids;
	int			ntuples;
	int			handled = 0;
	BatchResult result = BATCH_DONE;
	BatchResult r;
	int			i;

	res = PQexec(conn, "BEGIN");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		r = batch_query_failed(conn, res, "could not begin a transaction");
		PQclear(res);
		return r;
	}
	PQclear(res);

	snprintf(nbuf, sizeof(nbuf), "%d", want);
	params[0] = nbuf;
	res = PQexecParams(conn, "SELECT id, payload FROM forge_outbox_claim($1::int)",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 2)
	{
		r = batch_query_failed(conn, res, "could not claim outbox events");
		PQclear(res);
		return r;
	}

	ntuples = PQntuples(res);
	if (ntuples == 0)
	{
		PQclear(res);
		r = commit_batch(conn);
		return r == BATCH_DONE ? BATCH_EMPTY : r;
	}
	if (opts.verbose)
		fprintf(stderr, "%s: claimed %d outbox event(s)\n", PROGNAME, ntuples);

	ids = malloc(sizeof(long long) * ntuples);
	if (ids == NULL)
		out_of_memory();
	for (i = 0; i < ntuples && !stop_requested; i++)
	{
		EventResult er;

		ids[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		er = handle_event(PQgetvalue(res, i, 1), NULL, ids[i]);
		if (er == EVENT_FAILED)
		{
			result = BATCH_FAILED;
			break;
		}
		if (er == EVENT_OUTPUT_FAILED)
		{
			result = BATCH_OUTPUT_FAILED;
			break;
		}
		handled++;
	}
	PQclear(res);

	/* acknowledge what was handled; the rest is released by COMMIT */
	r = handled > 0 ? ack_events(conn, ids, handled) : BATCH_DONE;
	free(ids);
	if (r != BATCH_DONE)
		return r;
	r = commit_batch(conn);
	if (r != BATCH_DONE)
		return r;
	if (result == BATCH_FAILED && handled < ntuples)
		fprintf(stderr, "%s: released %d outbox event(s) unacknowledged\n",
				PROGNAME, ntuples - handled);
	return result;
}

/*
 * run_outbox
 *		Outbox mode on conn, already listening for wakeups: drain the outbox
 *		until the count is reached, a stop, or a failure with --no-retry.
 *		Returns an exit status, or SESSION_LOST.
 */
static int
run_outbox(PGconn *conn)
{
	double		delay = BACKOFF_MIN;

	for (;;)
	{
		PGnotify   *notify;
		int			want = opts.batch;
		int			rc;

		if (stop_requested || count_reached())
			return EXIT_DONE;

		/* notifications only wake us: what they announce is claimed */
		while ((notify = PQnotifies(conn)) != NULL)
			PQfreemem(notify);

		if (opts.count > 0 && opts.count - events_handled < want)
			want = (int) (opts.count - events_handled);

		switch (run_batch(conn, want))
		{
			case BATCH_DONE:
				delay = BACKOFF_MIN;
				break;
			case BATCH_EMPTY:
				delay = BACKOFF_MIN;
				/* a NOTIFY that came during the transaction is queued */
				if ((notify = PQnotifies(conn)) != NULL)
				{
					PQfreemem(notify);
					break;
				}
				if (PQstatus(conn) == CONNECTION_BAD || PQsocket(conn) < 0)
				{
					set_lost(conn);
					return SESSION_LOST;
				}
				rc = wait_for(PQsocket(conn), POLLIN, opts.interval * 1000.0);
				if (rc < 0)
					return EXIT_DONE;
				if (rc > 0 && !PQconsumeInput(conn))
				{
					set_lost(conn);
					return SESSION_LOST;
				}
				break;
			case BATCH_FAILED:
				if (stop_requested)
					return EXIT_DONE;
				if (opts.no_retry)
					return EXIT_HANDLER;
				fprintf(stderr, "%s: retrying the outbox in %.1fs\n",
						PROGNAME, delay);
				if (!sleep_for(delay))
					return EXIT_DONE;
				delay = next_backoff(delay);
				break;
			case BATCH_LOST:
				return SESSION_LOST;
			case BATCH_OUTPUT_FAILED:
				return EXIT_LOCAL;
		}
	}
}

/*
 * main
 *		Parse the options, then connect, listen and handle events, and
 *		reconnect with backoff, until done.
 */
int
main(int argc, char **argv)
{
	double		delay = BACKOFF_MIN;
	bool		connected_once = false;
	bool		failing = false;
	char		errbuf[512];

	parse_options(argc, argv);
	setup_signals();

	for (;;)
	{
		PGconn	   *conn;
		int			rc;
		int			i;

		conn = connect_db(errbuf, sizeof(errbuf));
		if (conn != NULL && !listen_channels(conn, errbuf, sizeof(errbuf)))
		{
			PQfinish(conn);
			conn = NULL;
		}
		if (conn == NULL)
		{
			if (stop_requested)
				return EXIT_DONE;
			if (opts.no_retry)
			{
				fprintf(stderr, "%s: could not connect: %s\n", PROGNAME, errbuf);
				return EXIT_CONNECT;
			}
			fprintf(stderr, "%s: could not connect: %s; retrying in %.1fs\n",
					PROGNAME, errbuf, delay);
			if (!sleep_for(delay))
				return EXIT_DONE;
			delay = next_backoff(delay);
			failing = true;
			continue;
		}

		if (failing)
			fprintf(stderr, "%s: %s\n", PROGNAME,
					connected_once ? "reconnected" : "connected");
		if (opts.verbose)
		{
			fprintf(stderr, "%s: listening on", PROGNAME);
			for (i = 0; i < opts.nchannels; i++)
				fprintf(stderr, "%s \"%s\"", i == 0 ? "" : ",", opts.channels[i]);
			fprintf(stderr, "%s\n", opts.outbox ? " for outbox wakeups" : "");
		}
		connected_once = true;
		failing = false;
		delay = BACKOFF_MIN;

		rc = opts.outbox ? run_outbox(conn) : run_listen(conn);
		PQfinish(conn);
		if (rc != SESSION_LOST)
			return rc;

		if (opts.no_retry)
		{
			fprintf(stderr, "%s: connection lost: %s\n", PROGNAME, lost_reason);
			return EXIT_CONNECT;
		}
		fprintf(stderr, "%s: connection lost: %s; reconnecting in %.1fs\n",
				PROGNAME, lost_reason, delay);
		if (!sleep_for(delay))
			return EXIT_DONE;
		delay = next_backoff(delay);
		failing = true;
	}
}
