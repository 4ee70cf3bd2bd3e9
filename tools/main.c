/* main.c — the crisim command: dispatches to subcommands (tools/cmd_*.c).
 * Exit status: 0 success, 1 runtime failure, 2 bad input or usage. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crisim.h"
#include "commands.h"

int cli_argc;
char **cli_argv;

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"validate", cmd_validate, "check a scenario folder and print its size, or every error"},
    {"run", cmd_run, "run one replicate; write timeline, metrics and manifest"},
    {"exercise", cmd_exercise, "run a live tabletop exercise turn by turn (journal, sitreps, resume)"},
    {"mc", cmd_mc, "run N Monte Carlo replicates on J threads; per-replicate rows + summary"},
    {"mc-merge", cmd_mc_merge, "combine the shards of a batch into the files one run writes"},
    {"compare", cmd_compare, "compare two batches metric by metric (difference, CI, p-value)"},
    {"gen", cmd_gen, "write a synthetic scenario of any size (for scale tests and benchmarks)"},
    {"view", cmd_view, "replay a timeline: window, or PNG frames headless"},
    {"bench", cmd_bench, "benchmarks: hold (kernel), mc, scale, view"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: crisim COMMAND [OPTIONS] ...\n\n"
               "crisim %s: discrete-event simulation of EU crisis arrangements.\n\ncommands:\n",
            cx_version());
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-10s %s\n", "version", "print the version");
    fprintf(f, "\n'crisim COMMAND --help' describes each command. Docs: docs/user-guide.md\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "crisim %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'crisim %s --help'.\n", cmd);
    return 2;
}

void cli_print_diags(const cx_diags *d) {
    size_t n = cx_diags_count(d);
    int limit = 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "%s\n", cx_diags_get(d, i));
        limit |= strstr(cx_diags_get(d, i), "(the limit") != NULL;
    }
    if (cx_diags_dropped(d) > 0)
        fprintf(stderr, "... and %zu more errors not shown\n", cx_diags_dropped(d));
    if (limit) /* the limits guard against hostile files; a big generated scenario is not one */
        fprintf(stderr, "hint: for larger scenarios set CRISIM_MAX_FILE_MB (MiB per file, default "
                        "64) or CRISIM_MAX_ROWS (rows per table, default 5000000)\n");
}

/* A whole number in [lo, hi] from environment variable name, into *v (unchanged when unset or
 * empty). -1 after printing what is wrong. */
static int env_count(const char *name, unsigned long long lo, unsigned long long hi,
                     unsigned long long *v) {
    const char *s = getenv(name);
    if (!s || !s[0]) return 0;
    char *end = NULL;
    unsigned long long x = s[0] >= '0' && s[0] <= '9' ? strtoull(s, &end, 10) : 0;
    if (!end || *end || x < lo || x > hi) {
        fprintf(stderr, "crisim: %s='%s': expected a whole number from %llu to %llu\n", name, s,
                lo, hi);
        return -1;
    }
    *v = x;
    return 0;
}

int cli_load_opts(cx_load_opts *o) {
    *o = cx_load_opts_default();
    unsigned long long mb = o->max_file_bytes >> 20, rows = o->max_rows;
    if (env_count("CRISIM_MAX_FILE_MB", 1, 1048576, &mb) != 0 ||
        env_count("CRISIM_MAX_ROWS", 1, 1000000000, &rows) != 0)
        return -1;
    o->max_file_bytes = (size_t)mb << 20;
    o->max_rows = (size_t)rows;
    return 0;
}

void cli_command_line(int argc, char **argv, char *buf, size_t n) {
    size_t used = 0;
    if (n == 0) return;
    buf[0] = '\0';
    for (int i = 0; i < argc && used + 1 < n; i++) {
        const char *a = argv[i];
        int quote = a[0] == '\0' || strpbrk(a, " \t\n'\"\\$`;&|<>*?()") != NULL;
        if (i > 0) buf[used++] = ' ';
        if (quote && used + 1 < n) buf[used++] = '\'';
        for (const char *p = a; *p && used + 5 < n; p++) {
            if (*p == '\'') { memcpy(buf + used, "'\\''", 4); used += 4; }
            else buf[used++] = *p;
        }
        if (quote && used + 1 < n) buf[used++] = '\'';
        buf[used] = '\0';
    }
}

void cli_set_stop_handlers(void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv) {
    cli_argc = argc;
    cli_argv = argv;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("crisim %s\n", cx_version());
        return 0;
    }
    cx_load_opts lo;
    if (cli_load_opts(&lo) != 0) return 2; /* a bad limit in the environment: a usage error */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) != 0) continue;
        /* The subcommand gets a copy of argv: getopt_long permutes what it parses, and manifests
         * record the command line as typed (cli_argv). */
        char **args = malloc(((size_t)argc + 1) * sizeof *args);
        if (!args) {
            fprintf(stderr, "crisim: out of memory\n");
            return 1;
        }
        memcpy(args, argv, ((size_t)argc + 1) * sizeof *args);
        int rc = commands[i].fn(argc - 1, args + 1);
        free(args);
        return rc;
    }
    fprintf(stderr, "crisim: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
