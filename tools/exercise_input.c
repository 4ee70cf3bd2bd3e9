/* exercise_input.c — command lines for `crisim exercise`: libedit's readline API on a terminal
 * (history, Tab completion of command names and scenario ids), getline otherwise.
 * Invariant: libedit keeps global state, so at most one exi_input with line editing is open. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exercise_input.h"

#ifdef CRISIM_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

struct exi_input {
    FILE *f;
    int edit;
};

#ifdef CRISIM_HAVE_LIBEDIT
/* readline's completion callbacks take no user pointer: the candidate list lives here (tools/ may
 * hold globals; the engine may not). */
static const char *const *completion_words;

static char *complete_word(const char *text, int state) {
    static size_t next;
    static size_t len;
    if (!state) {
        next = 0;
        len = strlen(text);
    }
    while (completion_words && completion_words[next]) {
        const char *w = completion_words[next++];
        if (!strncmp(w, text, len)) return strdup(w);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end) {
    (void)start;
    (void)end;
    return rl_completion_matches(text, complete_word);
}
#endif

exi_input *exi_open(FILE *script, const char *const *words) {
    exi_input *in = calloc(1, sizeof *in);
    if (!in) return NULL;
    in->f = script ? script : stdin;
#ifdef CRISIM_HAVE_LIBEDIT
    if (!script && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        in->edit = 1;
        completion_words = words;
        rl_attempted_completion_function = complete;
    }
#else
    (void)words;
#endif
    return in;
}

void exi_close(exi_input *in) {
    if (!in) return;
#ifdef CRISIM_HAVE_LIBEDIT
    if (in->edit) completion_words = NULL;
#endif
    free(in);
}

int exi_interactive(const exi_input *in) { return in && in->edit; }

static void clean(char *s) {
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
    for (char *p = s; *p; p++)
        if (*p == '\t' || *p == '\r' || *p == '\n') *p = ' ';
}

int exi_read(exi_input *in, const char *prompt, char **line) {
    *line = NULL;
#ifdef CRISIM_HAVE_LIBEDIT
    if (in->edit) {
        char *s = readline(prompt);
        if (!s) return -1;
        clean(s);
        if (s[strspn(s, " ")]) add_history(s);
        *line = s;
        return 0;
    }
#endif
    fputs(prompt, stdout);
    fflush(stdout);
    char *buf = NULL;
    size_t cap = 0;
    if (getline(&buf, &cap, in->f) < 0) {
        free(buf);
        fputs("\n", stdout);
        return -1;
    }
    clean(buf);
    printf("%s\n", buf);
    fflush(stdout);
    *line = buf;
    return 0;
}
