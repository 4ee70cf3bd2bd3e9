/* commands.h — the subcommands of the crisim executable, one file each (cmd_<name>.c).
 * Each takes argc/argv starting at the subcommand name and returns the exit status:
 * 0 success, 1 runtime failure, 2 bad input or usage. Only tools/ prints. */
#ifndef CX_COMMANDS_H
#define CX_COMMANDS_H

#include "crisim.h"

int cmd_validate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_exercise(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_mc(int argc, char **argv);
int cmd_mc_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_view(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_bench_view(int argc, char **argv); /* in cmd_view.c: needs the viewer */

/* Prints "crisim <cmd>: <msg>" to stderr and returns 2 (usage errors). */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints every message of diags to stderr, then "N more errors not shown" when some were dropped. */
struct cx_diags;
void cli_print_diags(const struct cx_diags *d);
/* Default load options with the size limits of CRISIM_MAX_FILE_MB and CRISIM_MAX_ROWS when set.
 * -1 (after printing why) when one is malformed; main() checks them before any command runs. */
int cli_load_opts(cx_load_opts *o);
/* The command line joined by spaces, shell-quoted where needed (for manifests). */
void cli_command_line(int argc, char **argv, char *buf, size_t n);
/* Installs fn (or SIG_DFL) for SIGINT and SIGTERM: how run, mc and exercise stop cleanly. */
void cli_set_stop_handlers(void (*fn)(int));
/* Set in main(): the whole argv, for manifests. */
extern int cli_argc;
extern char **cli_argv;

#endif
