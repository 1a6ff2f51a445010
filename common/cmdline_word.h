/* cmdline_word.h — the words of a kernel command line, split as the
 * kernel splits them, for the two programs that read /proc/cmdline: initd
 * (initd/cmdline.c) and a disk image's stage 1 (common/stage1_args.c). One
 * tokenizer, so that both see the same words the kernel saw:
 * `initd.rootfstype="ext4"` is ext4 to both, and a word quoted whole,
 * `"initd.root=PARTUUID=..."`, is still that word.
 */
#ifndef INITD_COMMON_CMDLINE_WORD_H
#define INITD_COMMON_CMDLINE_WORD_H

#include <stddef.h>

/* The next word at *p (text up to end) into w (size > 0 bytes, NUL-
 * terminated), *p moved past it. Words are split on blanks (space, tab,
 * newline); a double quote groups blanks into the word and is itself
 * dropped, as the kernel's parser (lib/cmdline.c) leaves a value. 1 for a
 * word, 0 at the end, -E2BIG for a word longer than size - 1 bytes: w
 * then holds its head, and *p is past all of it. */
int cmdline_word_next(const char **p, const char *end, char *w, size_t size);

#endif
