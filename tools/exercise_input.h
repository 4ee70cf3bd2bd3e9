/* exercise_input.h — reading the facilitator's command lines: libedit (line editing, history, tab
 * completion) on a terminal, plain line reading from pipes and script files.
 * Invariant: a returned line never holds '\n', '\r' or '\t' (tabs become spaces: the journal uses them). */
#ifndef CX_EXERCISE_INPUT_H
#define CX_EXERCISE_INPUT_H

#include <stdio.h>

typedef struct exi_input exi_input;

/* Reads from `script` when not NULL, else stdin. Line editing is used only when the input is a
 * terminal and crisim was built with libedit. words: completion candidates (command names, ids),
 * NULL-terminated, owned by the caller and kept alive while the input is open. NULL on OOM. */
exi_input *exi_open(FILE *script, const char *const *words);
void exi_close(exi_input *in); /* NULL is a no-op */
/* Shows prompt and reads one line into *line (malloc'd, caller frees). Without line editing the line
 * is echoed after the prompt so transcripts read like a session. -1 at end of input. */
int exi_read(exi_input *in, const char *prompt, char **line);
int exi_interactive(const exi_input *in); /* 1 when line editing is on */

#endif
